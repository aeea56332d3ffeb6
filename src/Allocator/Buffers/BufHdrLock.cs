// BufHdrLock: the buffer header spinlock, which is the BM_LOCKED bit of the state word
// (bufmgr.c LockBufHdr / WaitBufHdrUnlocked, buf_internals.h UnlockBufHdr, PostgreSQL 17).
//
// The V17 protocol (spec §4): while BM_LOCKED is set only the holder changes the word; it keeps
// a local copy, edits it, and publishes it with the store that clears BM_LOCKED. Everyone else
// changes the word by CAS with an expected value whose BM_LOCKED is clear, waiting for the bit
// to clear first (WaitBufHdrUnlocked). The one exception is LockBufHdr's own fetch-or, which
// changes nothing when the bit is already set.
//
// Spinning reuses s_lock.c's delay machinery (SLock.perform_spin_delay): the same adaptive
// spins_per_delay, growing sleeps and the "stuck spinlock" PANIC after NUM_DELAYS. Each failed
// spin tells the runtime which word it waits on and the value it last saw (with BM_LOCKED set), so
// the explorer can park the backend until the holder's unlock store changes it.
#pragma warning disable CA1707 // PostgreSQL's names
using System.Runtime.CompilerServices;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

public static class BufHdrLock
{
    /// <summary>init_local_spin_delay: the location is the spinning function's own, as in C. Both
    /// callers are in this file, so its name is computed once: Path.GetFileName on every call made
    /// each LockBufHdr allocate a string (48 B on every buffer miss, write and flush).</summary>
    private static SpinDelayStatus InitLocalSpinDelay(ulong watchAddr,
        [CallerLineNumber] int line = 0, [CallerMemberName] string func = "") =>
        SpinDelayStatus.Init(watchAddr, ThisFileName, line, func);

    private static readonly string ThisFileName = Path.GetFileName(ThisFilePath());

    private static string ThisFilePath([CallerFilePath] string file = "") => file;

    /// <summary>LockBufHdr: sets BM_LOCKED, spinning while someone else holds it. Returns the state
    /// word as it now is (with BM_LOCKED set); the caller edits that copy and passes it to UnlockBufHdr.</summary>
    public static uint LockBufHdr(SyncBackend b, BufferDesc desc)
    {
        b.LockOrder.BeforeSpinAcquire(desc.StateAddr);
        SpinDelayStatus delayStatus = InitLocalSpinDelay(desc.StateAddr);
        uint old_buf_state;
        for (;;)
        {
            // set BM_LOCKED flag; a no-op if it is already set
            old_buf_state = BufferDescriptors.FetchOrState(b.Runtime, desc, BM_LOCKED);
            // if it wasn't set before we're OK
            if ((old_buf_state & BM_LOCKED) == 0) break;
            delayStatus.WatchValue = old_buf_state;
            SLock.perform_spin_delay(b, ref delayStatus);
        }
        SLock.finish_spin_delay(b, ref delayStatus);
        b.LockOrder.SpinAcquired(desc.StateAddr);
        return old_buf_state | BM_LOCKED;
    }

    /// <summary>UnlockBufHdr: publishes <paramref name="buf_state"/> without BM_LOCKED in one releasing
    /// store (everything written under the lock, tag and wait_backend_pgprocno included, becomes
    /// visible first).</summary>
    public static void UnlockBufHdr(SyncBackend b, BufferDesc desc, uint buf_state)
    {
        b.LockOrder.SpinReleased(desc.StateAddr);
        BufferDescriptors.WriteState(b.Runtime, desc, buf_state & ~BM_LOCKED);
    }

    /// <summary>WaitBufHdrUnlocked: spins until BM_LOCKED is clear and returns that (possibly
    /// immediately stale) value, for the CAS loops of PinBuffer, UnpinBuffer and MarkBufferDirty.</summary>
    public static uint WaitBufHdrUnlocked(SyncBackend b, BufferDesc desc)
    {
        SpinDelayStatus delayStatus = InitLocalSpinDelay(desc.StateAddr);
        uint buf_state = BufferDescriptors.ReadState(b.Runtime, desc);
        while ((buf_state & BM_LOCKED) != 0)
        {
            delayStatus.WatchValue = buf_state;
            SLock.perform_spin_delay(b, ref delayStatus);
            buf_state = BufferDescriptors.ReadState(b.Runtime, desc);
        }
        SLock.finish_spin_delay(b, ref delayStatus);
        return buf_state;
    }
}
