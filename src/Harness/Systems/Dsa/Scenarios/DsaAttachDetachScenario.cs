// dsa-attach-detach (spec 9.15 interleaving (b); PostgreSQL fddf45b380): dsa_attach racing with the
// last detach. No setup area: backend 0 creates the area (dsa_create_ext, 256 KiB first segment),
// allocates a 70-page object (too big for a standard segment: an odd-sized segment in slot 1),
// publishes the handle on the bulletin board of the main shared memory segment (as PostgreSQL code
// passes a dsa handle through a shm_toc), writes the object's pattern, publishes its pointer, and
// detaches. Its dsa_detach detaches segment 0 first, whose on-detach hook (dsa_release_in_place)
// drops the last reference under the area lock and unpins every segment, while the control segment
// is still mapped. The other backends wait for the handle (a blocking spin on the bulletin word)
// and attach at any time after it:
//   - after the control segment is gone: dsm_attach fails, and so does
//     dsa_attach ("could not attach to dynamic shared area"): the backend gives up;
//   - inside the release window (refcnt already 0, segment still there): attach_internal must
//     refuse with the same ERROR (the fix of fddf45b380), raised with the area lock held and
//     released by error recovery (DsmBackend.AbortCleanup);
//   - before the release: a real reference. Such a backend checks the published object's pattern
//     if it was published, allocates and frees a small object, and detaches.
// At the end nobody is attached, so every DSM segment of the area must be gone (DSM control items
// all free): a reference taken after the last release would have been dropped a second time.
//
// Canary: AttachIgnoresZeroRefcnt (attach_internal takes a reference at refcnt 0, as before
// fddf45b380): an attach inside the window resurrects an area whose segments are unpinned; the
// published object's segment vanishes under it ("dsa_area could not attach to segment"), or its
// detach unpins the segments a second time ("cannot unpin a segment that is not pinned"): an
// attached backend's ERROR is the invariant failure dsa-attached-area-unusable.
using Allocator.Common;
using Allocator.Dsa;
using Allocator.Shmem;
using Allocator.Sync;
using Harness.Explore;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Dsa.Scenarios;

public sealed class DsaAttachDetachScenario : DsaScenarioInstance
{
    public const ulong LargePages = 70;
    public const string CouldNotAttach = "could not attach to dynamic shared area";

    /// <summary>Bulletin words: the area's handle (a DSM handle is never 0), the published pointer.</summary>
    private const int HandleWord = 0, PointerWord = 8;

    public DsaAttachDetachScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, DsaCanary canary = DsaCanary.None)
        : base(config, rt, canary)
    {
        Reach = new ReachHits([DsaReach.AttachRefused]);
    }

    protected override bool SetupCreatesArea => false;

    /// <summary>No setup area to walk mid-iteration (the area's life is the scenario); the end checks it.</summary>
    protected override bool CheckWhileRunning => false;

    /// <summary>Attaches refused in the last iteration, and attaches that got a reference.</summary>
    public int Refused { get; private set; }
    /// <summary>Of those, attaches refused by attach_internal's refcnt check (inside the release window).</summary>
    public int RefusedAtZeroRefcnt { get; private set; }
    public int Attached { get; private set; }

    protected override void OnReset()
    {
        Refused = 0;
        RefusedAtZeroRefcnt = 0;
        Attached = 0;
    }

    protected override void Body(int me)
    {
        if (me == 0)
        {
            DsaArea a = DsaArea.dsa_create_ext(B[me], Tranche, InitSegmentSize, DsaLayout.Wide.P.DSA_MAX_SEGMENT_SIZE, null, Options);
            A[me] = a;
            NameLocks(me, a);
            Rt[me].SharedWrite32(Bulletin(HandleWord), a.dsa_get_handle());
            ulong dp = Alloc(me, LargePages * Page);
            Live.Remove(dp); // it goes with the area
            Rt[me].SharedWrite64(Bulletin(PointerWord), dp);
            a.dsa_detach();
            return;
        }
        Handle = (uint)WaitNonZero(me, Bulletin(HandleWord));
        DsaArea? mine;
        // inside a transaction: a failed attach's mapping belongs to its resource owner, which
        // error recovery releases (else the refused backend would keep the control segment mapped
        // until it exits)
        B[me].CurrentResourceOwner = new DsmResourceOwner($"backend {me} transaction");
        try
        {
            mine = Attach(me);
        }
        catch (PgErrorException e) when (e.Message == CouldNotAttach)
        {
            // still mapped: dsm_attach worked and attach_internal found refcnt 0
            if (B[me].AddressSpace.Mappings().Any())
            {
                RefusedAtZeroRefcnt++;
                Reached(DsaReach.AttachRefused);
            }
            B[me].AbortCleanup();
            B[me].CurrentResourceOwner = null;
            A[me] = null;
            Refused++;
            return;
        }
        Attached++;
        try
        {
            ulong published = Rt[me].SharedRead64(Bulletin(PointerWord));
            if (published != 0) CheckPattern(mine, published, LargePages * Page, $"backend {me} (attached)");
            ulong small = Alloc(me, 100);
            Free(me, small);
            mine.dsa_detach();
        }
        catch (PgErrorException e)
        {
            // an attach that succeeded holds a reference: the area and its segments must stay usable
            throw new ScenarioCheckException("dsa-attached-area-unusable", $"backend {me} attached (refcnt then {mine.refcnt}) but then: ERROR: {e.Message}");
        }
    }

    protected override void OnCheckFinal()
    {
        var items = new List<string>();
        for (uint slot = 0; slot < Control.NItems; slot++)
            if (Control.ItemRefcnt(slot) != 0) items.Add($"slot {slot} handle {Control.ItemHandle(slot)} refcnt {Control.ItemRefcnt(slot)}{(Control.ItemPinned(slot) ? " pinned" : "")}");
        Check(items.Count == 0, "dsa-segment-leak", $"every backend detached, but DSM segments remain: {string.Join(", ", items)}");
    }
}
