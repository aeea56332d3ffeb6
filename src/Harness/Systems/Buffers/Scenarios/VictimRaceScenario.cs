// victim-race (issue 13, scenarios 2 and 4): backends update blocks of a relation larger than the
// pool (5 blocks, 3 buffers), so nearly every read takes a victim, and most victims are dirty and
// are written first. Each op picks a block from the backend's data stream, pins it, takes the
// content lock exclusively, checks the value is the last one written, increments it, marks the
// buffer dirty and lets go. Meanwhile another backend's victim search may pick the very buffer it
// is about to pin through a lookup, or one it dirties again after the write: the allocating backend
// must notice under the re-taken header lock (InvalidateVictimBuffer) and try another buffer.
//
// Checked after every step a backend takes while it pins a block: the buffer still carries the
// block's tag and is valid (no pinned buffer is ever evicted), and the page holds the block's last
// written value (no write lost: a dirty victim was written before reuse, and the read that brought
// the block back found that write). The expected values are managed state updated in the same
// atomic step as the page write (no scheduling point between them), under the exclusive content
// lock. At the end every block's value, in the pool or on disk, is its last written one.
//
// Page history (BufferScenarioInstance): each op is a read (invoked before ReadBuffer, the value
// seen under the exclusive lock) and a write of the value plus one (invoked right after, responding
// after the release). OwnValueChecks off (tests only) leaves the lost-write and pinned-buffer checks
// to the page history: it shows the history alone catches what they catch.
//
// "no unpinned buffers available" is PostgreSQL's answer when a whole lap of the clock finds only
// pinned buffers; with the backends' pins hopping between buffers that can happen (rarely) while
// free buffers exist, as it can in PostgreSQL. It is not a failure here: the op aborts (nothing is
// held then) and is counted.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Sync;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class VictimRaceScenario : BufferScenarioInstance
{
    public const int NBuffers = 3, RelPages = 5;

    /// <summary>Each block's last written value (page value and this change in one step).</summary>
    private readonly ulong[] _expected = new ulong[RelPages];
    /// <summary>Each backend's block choices, drawn once from its data stream (same every iteration).</summary>
    private readonly int[][] _plan;

    public VictimRaceScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, RelPages, canary)
    {
        _plan = BlockPlan(firstBackend: 0);
    }

    /// <summary>The scenario's own pinned-buffer and lost-write checks (on by default; tests turn
    /// them off to show the page history's check catches the same bugs alone).</summary>
    public bool OwnValueChecks { get; set; } = true;

    protected override void OnReset()
    {
        for (int p = 0; p < RelPages; p++) _expected[p] = InitialValue(p);
    }

    protected override void Body(int me)
    {
        foreach (int page in _plan[me])
            UpdatePage(me, page, v => _expected[page] = v, (buffer, when) => CheckPinnedValue(me, buffer, page, when));
    }

    private void CheckPinnedValue(int me, int buffer, int page, string when)
    {
        if (!OwnValueChecks) return;
        CheckStillPinned(me, buffer, page, when);
        ulong v = ValueIn(me, buffer);
        Check(v == _expected[page], "lost-write", $"backend {me} pins block {page} in buffer {buffer}; {when} it holds {v}, but the last value written was {_expected[page]}");
    }

    protected override void OnCheckFinal()
    {
        if (!OwnValueChecks) return;
        for (int p = 0; p < RelPages; p++)
        {
            int id = ResidentBufId(p);
            ulong v = id >= 0
                ? Pool.InitMemory.ReadU64(Pool.BufHdrGetBlock(id) + BufferRunner.OffValue)
                : BitConverter.ToUInt64(Storage.PeekBlock(Rel.Locator, ForkNumber.MAIN_FORKNUM, (uint)p), BufferRunner.OffValue);
            Check(v == _expected[p], "lost-write", $"block {p} holds {v} {(id >= 0 ? $"in buffer {id + 1}" : "on disk")} at the end; the last value written was {_expected[p]}");
        }
    }
}
