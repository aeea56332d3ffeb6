// BufferCheck: the invariant walker for the buffer descriptors and the backends' private pin
// state, for the parts of spec §19 that need neither the mapping table nor I/O. Run at quiescence
// (no backend inside a buffer-manager or lock routine); it only reads, through the descriptor
// region's own mapping, never through the seam. Numbers are the spec's; a violation names its number.
//
//   B1   usage count <= BM_MAX_USAGE_COUNT.
//   B2   refcount <= number of backends (so it never underflowed into the usage count).
//   B3   refcount == number of backends whose private count for the buffer is > 0.
//   B5   no header lock is held (BM_LOCKED clear).
//   B6   BM_VALID => BM_TAG_VALID.
//   B7   BM_DIRTY => BM_VALID.
//   B8   BM_JUST_DIRTIED => BM_DIRTY.
//   B9   BM_CHECKPOINT_NEEDED => BM_DIRTY.
//   B10  BM_IO_IN_PROGRESS => refcount >= 1, and none is left at quiescence.
//   B12  BM_PIN_COUNT_WAITER => wait_backend_pgprocno names a given backend that pins the buffer and
//        has PinCountWaitBuf == the buffer.
//   B13  !BM_TAG_VALID => the tag is the cleared tag.
//   P1   per backend: a buffer at most once across array and hash, Overflowed == hash size, every
//        private count > 0.
//   P3   a backend holding a buffer's content lock pins that buffer.
//   P4   PinCountWaitBuf set => that buffer is pinned by the backend.
// When `final` is set (every transaction has ended): also
//   P2   no backend has a private pin, and every refcount is 0.
// "Flags within BUF_FLAG_MASK" needs no check: the three fields cover all 32 bits.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Sim;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static class BufferCheck
{
    public static List<string> Check(BufferDescriptors descs, IReadOnlyList<BufferPins?> backends, bool final = false)
    {
        var errors = new List<string>();
        SimMemory m = descs.InitMemory;
        int nBackends = backends.Count;

        foreach (BufferPins? p in backends)
        {
            if (p is null) continue;
            string who = $"backend {p.Backend.MyProcNumber}";
            errors.AddRange(p.Refs.CheckP1(who));
            if (p.PinCountWaitBuf is BufferDesc w && p.Refs.GetPrivateRefCount(descs.BufIdOf(w) + 1) <= 0)
                errors.Add($"P4: {who}: PinCountWaitBuf is buffer {descs.BufIdOf(w) + 1} but it holds no pin on it");
            for (int h = 0; h < p.Backend.LWLocks.NumHeld; h++)
            {
                var held = p.Backend.LWLocks.Held(h);
                ulong a = held.Lock.Address - BufferDescLayout.OFF_content_lock;
                int id = descs.BufIdOf(new BufferDesc(a));
                if (id >= 0 && p.Refs.GetPrivateRefCount(id + 1) <= 0)
                    errors.Add($"P3: {who}: holds the content lock of buffer {id + 1} without a pin");
            }
            if (final)
            {
                foreach (PrivateRefCountEntry e in p.Refs.Entries())
                    errors.Add($"P2: {who}: still pins buffer {e.buffer} ({e.refcount} times) after its transaction ended");
            }
        }

        for (int i = 0; i < descs.NBuffers; i++)
        {
            BufferDesc d = descs.GetBufferDescriptor(i);
            int buffer = i + 1;
            uint s = m.ReadU32(d.StateAddr);
            uint rc = BUF_STATE_GET_REFCOUNT(s), uc = BUF_STATE_GET_USAGECOUNT(s);
            string name = $"buffer {buffer} (state 0x{s:x8})";

            if (uc > BM_MAX_USAGE_COUNT) errors.Add($"B1: {name}: usage count {uc} exceeds BM_MAX_USAGE_COUNT");
            if (rc > (uint)nBackends) errors.Add($"B2: {name}: refcount {rc} exceeds the {nBackends} backends");

            int pinners = 0;
            foreach (BufferPins? p in backends)
                if (p is not null && p.Refs.GetPrivateRefCount(buffer) > 0) pinners++;
            if (rc != (uint)pinners) errors.Add($"B3: {name}: refcount {rc} but {pinners} backend(s) hold private pins");

            if ((s & BM_LOCKED) != 0) errors.Add($"B5: {name}: header lock still held at quiescence");
            if ((s & BM_VALID) != 0 && (s & BM_TAG_VALID) == 0) errors.Add($"B6: {name}: BM_VALID without BM_TAG_VALID");
            if ((s & BM_DIRTY) != 0 && (s & BM_VALID) == 0) errors.Add($"B7: {name}: BM_DIRTY without BM_VALID");
            if ((s & BM_JUST_DIRTIED) != 0 && (s & BM_DIRTY) == 0) errors.Add($"B8: {name}: BM_JUST_DIRTIED without BM_DIRTY");
            if ((s & BM_CHECKPOINT_NEEDED) != 0 && (s & BM_DIRTY) == 0) errors.Add($"B9: {name}: BM_CHECKPOINT_NEEDED without BM_DIRTY");
            if ((s & BM_IO_IN_PROGRESS) != 0)
                errors.Add(rc == 0 ? $"B10: {name}: BM_IO_IN_PROGRESS on an unpinned buffer" : $"B10: {name}: BM_IO_IN_PROGRESS left at quiescence");

            if ((s & BM_PIN_COUNT_WAITER) != 0)
            {
                int waiter = BufferDescriptors.ReadWaitBackend(m, d);
                BufferPins? wp = null;
                foreach (BufferPins? p in backends)
                    if (p is not null && p.Backend.MyProcNumber == waiter) wp = p;
                if (wp is null)
                    errors.Add($"B12: {name}: BM_PIN_COUNT_WAITER but wait_backend_pgprocno {waiter} is no backend");
                else if (wp.Refs.GetPrivateRefCount(buffer) <= 0)
                    errors.Add($"B12: {name}: the cleanup waiter, backend {waiter}, does not pin the buffer");
                else if (wp.PinCountWaitBuf != d)
                    errors.Add($"B12: {name}: the cleanup waiter, backend {waiter}, has PinCountWaitBuf {wp.PinCountWaitBuf?.ToString() ?? "null"}");
            }

            if ((s & BM_TAG_VALID) == 0 && BufferDescriptors.ReadTag(m, d) != BufferTag.Cleared)
                errors.Add($"B13: {name}: no BM_TAG_VALID but the tag is {BufferDescriptors.ReadTag(m, d)}");

            if (final && rc != 0) errors.Add($"P2: {name}: refcount {rc} after every transaction ended");
        }
        return errors;
    }
}
