// BufferScenarioInstance, the lanes view's side: what a backend holds between two of its steps,
// in the §18 vocabulary (LWLocks by what they are, via the pool's lock classifier, with their
// mode; spinlocks held; I/Os it owns), its pins with each pinned page's block and the value the
// scenarios keep in it, and the buffer it waits on for a cleanup lock. Read straight from the
// backend's private state and the pool's memory: no scheduling point, nothing changes.
using System.Text;
using Allocator.Buffers;
using Allocator.Sync;
using Harness.Systems.Buffers.Oracle;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Systems.Buffers.Scenarios;

public abstract partial class BufferScenarioInstance
{
    public override string? Holding(int backend)
    {
        BufMgr? b = B[backend];
        if (b is null) return null;
        var sb = new StringBuilder();
        LWLockBackend held = b.Backend.LWLocks;
        for (int i = 0; i < held.NumHeld; i++)
        {
            LWLockBackend.LWLockHandle h = held.Held(i);
            sb.Append(h.Mode == LWLockMode.LW_EXCLUSIVE ? "X " : "S ").Append(b.Backend.LockOrder.Identify(h.Lock)).Append("; ");
        }
        for (int i = 0; i < b.Backend.LockOrder.NumHeldSpinLocks; i++)
            sb.Append("spin ").Append(b.Backend.LockOrder.NameSpin(b.Backend.LockOrder.HeldSpinLock(i))).Append("; ");
        foreach (int buffer in b.Owner.IOs) sb.Append("I/O on buffer ").Append(buffer).Append("; ");
        foreach (PrivateRefCountEntry e in b.Pins.Refs.Entries().OrderBy(e => e.buffer))
        {
            BufferDesc d = Pool.Descriptors.GetBufferDescriptorOfBuffer(e.buffer);
            uint block = BufferDescriptors.ReadTag(Pool.InitMemory, d).BlockNum;
            ulong value = Pool.InitMemory.ReadU64(Pool.BufHdrGetBlock(e.buffer - 1) + BufferRunner.OffValue);
            sb.Append("pin buffer ").Append(e.buffer);
            if (e.refcount > 1) sb.Append(" x").Append(e.refcount);
            // between InvalidateVictimBuffer and the new tag, a victim's tag is cleared
            if (block == InvalidBlockNumber) sb.Append(" (no tag yet; page holds ").Append(value).Append("); ");
            else sb.Append(" (block ").Append(block).Append(" = ").Append(value).Append("); ");
        }
        if (b.PinCountWaitBuf is BufferDesc w)
            sb.Append("waits for the only pin on buffer ").Append(Pool.Descriptors.BufIdOf(w) + 1).Append("; ");
        if (sb.Length >= 2) sb.Length -= 2;
        return sb.ToString();
    }
}
