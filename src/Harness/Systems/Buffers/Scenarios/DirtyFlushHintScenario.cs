// dirty-flush-hint (issue 13, scenario 4's hint half; spec §8.4): block 0 starts dirty in the pool
// (a setup backend read it, changed its value under the exclusive lock and marked it dirty).
// Backend 0 writes it out (FlushOneBuffer under a share content lock), Ops times; every other
// backend sets its own hint bit in the page under a share content lock and calls
// MarkBufferDirtyHint, Ops times (a new bit each time). A share lock does not keep the hint out of
// the page while the write copies it, so a hint may miss the write; the BM_JUST_DIRTIED protocol
// (FlushBuffer clears the flag before its copy, the hint sets it again, TerminateBufferIO then
// keeps BM_DIRTY) makes sure such a hint is written next time. Checked at the end: every hint bit
// that is not on disk is in a buffer that is still dirty. (D5 of the pool walk says the same of
// any byte: a clean valid buffer equals its block on disk.)
//
// Not in the page history (BufferScenarioInstance records nothing here): the backends never read or
// write the page's value, only OR hint bits into the hint word under a share lock, and concurrent
// hint-setters are not a register (D3 applies to hints only as "not lost", which hint-lost checks).
using Allocator.Buffers;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class DirtyFlushHintScenario : BufferScenarioInstance
{
    public const int NBuffers = 3, RelPages = 1, MaxOps = 8;
    private const int Page = 0;

    public DirtyFlushHintScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, RelPages, canary)
    {
        if (config.Ops > MaxOps) throw new ArgumentException($"dirty-flush-hint runs at most {MaxOps} ops (one hint bit each)", nameof(config));
    }

    /// <summary>Backend <paramref name="me"/>'s hint bit for op <paramref name="op"/>.</summary>
    private static uint HintBit(int me, int op) => 1u << (me * MaxOps + op) % 32;

    protected override void OnReset()
    {
        BufMgr setup = AttachSetupBackend();
        int buffer = setup.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, Page);
        setup.LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        setup.Backend.Memory.WriteU64(setup.BufferGetPage(buffer) + BufferRunner.OffValue, InitialValue(Page) + 1);
        setup.MarkBufferDirty(buffer);
        setup.UnlockReleaseBuffer(buffer);
    }

    protected override void Body(int me)
    {
        for (int op = 0; op < Config.Ops; op++)
        {
            int buffer = Read(me, Page);
            CheckStillPinned(me, buffer, Page, "after ReadBuffer");
            B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_SHARE);
            if (me == 0)
            {
                B[me].FlushOneBuffer(buffer);
            }
            else
            {
                // a hint: a non-critical change made under a share lock (SetHintBits)
                ulong at = B[me].BufferGetPage(buffer) + BufferRunner.OffHint;
                B[me].Backend.Memory.WriteU32(at, B[me].Backend.Memory.ReadU32(at) | HintBit(me, op));
                B[me].MarkBufferDirtyHint(buffer, bufferStd: true);
            }
            B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
            B[me].ReleaseBuffer(buffer);
        }
    }

    protected override void OnCheckFinal()
    {
        int id = ResidentBufId(Page);
        Check(id >= 0, "block-resident", "block 0 left the pool (nothing should evict it)");
        uint inPool = Pool.InitMemory.ReadU32(Pool.BufHdrGetBlock(id) + BufferRunner.OffHint);
        uint onDisk = BitConverter.ToUInt32(Storage.PeekBlock(Rel.Locator, ForkNumber.MAIN_FORKNUM, Page), BufferRunner.OffHint);
        uint state = StateOf(id);
        for (int b = 1; b < Config.Backends; b++)
        {
            for (int op = 0; op < Config.Ops; op++)
            {
                uint bit = HintBit(b, op);
                Check((inPool & bit) != 0, "hint-in-page", $"backend {b}'s hint bit 0x{bit:x} of op {op} is not in the page");
                Check((onDisk & bit) != 0 || (state & BM_DIRTY) != 0, "hint-lost",
                    $"backend {b}'s hint bit 0x{bit:x} of op {op} is not on disk, and buffer {id + 1} is clean (state 0x{state:x8}): the hint will never be written");
            }
        }
    }
}
