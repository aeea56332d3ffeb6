// dsa-slot-reuse (spec 9.15 interleaving (a); PostgreSQL 38763d6778 and check_for_freed_segments):
// a segment is freed and its slot reused while another backend still maps the old segment.
//
// Setup (256 KiB first segment, 62 usable pages): a 48-byte mailbox object (a block of spans and a
// class-3 superblock in segment 0, 17 pages), a large object of the remaining 45 pages (segment 0
// is full), then 8 objects of 8 KiB: their superblock S needs 16 pages, so it goes to a new segment
// in slot 1, and fills (fullness class 3). The mailbox is how the backends pass a dsa_pointer
// through shared memory, as PostgreSQL code does: word 0 is the published pointer, word 1 a flag;
// waits on them are blocking spins (the explorer runs the waiter only once the word changed).
//
// Backend 0 (the freer) attaches, frees 7 of S's objects (S moves to class 2), waits until backend 1
// has raised the flag, frees the last one: S is entirely free and not active, so destroy_superblock
// returns its pages and, slot 1's segment now entirely free, frees the segment (handle invalidated,
// freed_segment_counter incremented). It then allocates a 20-page object: segment 0 is full, so
// make_new_segment takes the first free slot, slot 1 again, with a new DSM segment. It writes the
// object's pattern and publishes its pointer in the mailbox.
// Backend 1 (the stale holder) attaches, checks S's last object through its own mapping (so it
// maps slot 1's old segment), raises the flag, waits for the published pointer, checks the new
// object's pattern through dsa_get_address (which must notice the counter moved, detach the old
// segment and map the new one) and frees it. Further backends (a swarm) allocate and free small
// objects meanwhile, passing through check_for_freed_segments at their own times.
//
// Canary: SkipFreedSegmentCheck (dsa_get_address does not run check_for_freed_segments): backend 1
// resolves the new pointer through its mapping of the freed segment, whose bytes are the old
// superblock's (clobbered on free), so the pattern check fails (dsa-content).
using Allocator.Dsa;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Dsa.Scenarios;

public sealed class DsaSlotReuseScenario : DsaScenarioInstance
{
    public const ulong SuperblockObject = 8000;
    public const int SuperblockObjects = 8;
    public const ulong NewObjectPages = 20;
    public const ulong MailboxSize = 48, MailboxWords = 24;

    private ulong _mailbox;
    private readonly List<ulong> _s = new();

    public DsaSlotReuseScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, DsaCanary canary = DsaCanary.None)
        : base(config, rt, canary)
    {
        Reach = new ReachHits([DsaReach.SlotReused]);
    }

    /// <summary>Backend 1 saw the freed segment's slot reused (its dsa_get_address found a new segment in slot 1).</summary>
    public int SlotReusedSeen { get; private set; }

    protected override void OnSetup(DsaArea setup)
    {
        // 48 bytes: the pattern covers bytes 0..16 and 47, the words live at 24 and 32
        _mailbox = Alloc(setup, MailboxSize, "setup");
        ulong words = setup.dsa_get_address(_mailbox) + MailboxWords;
        setup.M.WriteU64(words, 0);
        setup.M.WriteU64(words + 8, 0);
        ulong segment0Free = 62 - 17;
        Alloc(setup, segment0Free * Page, "setup");
        _s.Clear();
        for (int i = 0; i < SuperblockObjects; i++) _s.Add(Alloc(setup, SuperblockObject, "setup"));
        ulong slot = DsaLayout.Wide.P.DSA_EXTRACT_SEGMENT_NUMBER(_s[0]);
        if (slot != 1) throw new InvalidOperationException($"setup: the superblock is in slot {slot}, not 1 (the layout changed)");
    }

    protected override void OnReset() => SlotReusedSeen = 0;

    private ulong Mailbox(int me, int word) => A[me]!.dsa_get_address(_mailbox) + MailboxWords + 8 * (ulong)word;

    private ulong WaitFor(int me, int word) => WaitNonZero(me, Mailbox(me, word));

    protected override void Body(int me)
    {
        Attach(me);
        if (me == 0)
        {
            for (int i = 0; i < SuperblockObjects - 1; i++) Free(me, _s[i]);
            WaitFor(me, 1);
            Free(me, _s[SuperblockObjects - 1]);
            ulong dp = Alloc(me, NewObjectPages * Page);
            Rt[me].SharedWrite64(Mailbox(me, 0), dp);
        }
        else if (me == 1)
        {
            CheckPattern(A[me]!, _s[SuperblockObjects - 1], SuperblockObject, "backend 1 (mapping the old segment)");
            Rt[me].SharedWrite64(Mailbox(me, 1), 1);
            ulong dp = WaitFor(me, 0);
            if (DsaLayout.Wide.P.DSA_EXTRACT_SEGMENT_NUMBER(dp) == 1)
            {
                SlotReusedSeen++;
                Reached(DsaReach.SlotReused);
            }
            Free(me, dp);
        }
        else
        {
            for (int op = 0; op < Config.Ops; op++)
            {
                ulong a = Alloc(me, 16);
                ulong b = Alloc(me, 16);
                Free(me, a);
                if (op % 2 == 1) Free(me, b);
            }
        }
    }
}
