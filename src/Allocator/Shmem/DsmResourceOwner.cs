// DsmResourceOwner: the part of resowner.c (PostgreSQL 17) that dsm.c uses, dsm_resowner_desc:
// a record of the segments whose mappings belong to a transaction-scoped owner, so that releasing
// the owner detaches them (ResOwnerReleaseDSM: forget the owner, then dsm_detach). On commit a
// mapping still remembered is a leak: WARNING "resource was not closed: dynamic shared memory
// segment <handle>" before it is detached; on abort it is detached silently. PostgreSQL releases
// the most recently remembered entry of a kind first; so do we.
//
// Divergences: one kind only (no owner tree, no release phases or priorities, no other resources);
// a managed list instead of resowner.c's array and hash; Enlarge is a no-op (nothing can run out).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;

namespace Allocator.Shmem;

public sealed class DsmResourceOwner
{
    private readonly List<DsmSegment> _segments = new();

    public string Name { get; }

    public DsmResourceOwner(string name = "Portal") => Name = name;

    /// <summary>The remembered segments, oldest first.</summary>
    public IReadOnlyList<DsmSegment> Segments => _segments;

    /// <summary>ResourceOwnerEnlarge: nothing to reserve.</summary>
    public void ResourceOwnerEnlarge() { }

    /// <summary>ResourceOwnerRememberDSM.</summary>
    public void ResourceOwnerRememberDSM(DsmSegment seg) => _segments.Add(seg);

    /// <summary>ResourceOwnerForgetDSM: removes the newest matching entry; forgetting what was never
    /// remembered is resowner.c's ERROR.</summary>
    public void ResourceOwnerForgetDSM(DsmSegment seg)
    {
        int i = _segments.LastIndexOf(seg);
        if (i < 0)
            throw new PgErrorException($"dynamic shared memory segment {seg.handle} is not owned by resource owner {Name}");
        _segments.RemoveAt(i);
    }

    /// <summary>ResourceOwnerRelease for this kind: detaches every remembered segment, newest first,
    /// warning about each on commit.</summary>
    public void ResourceOwnerRelease(bool isCommit, ElogSink elog)
    {
        while (_segments.Count > 0)
        {
            DsmSegment seg = _segments[^1];
            if (isCommit) elog.Warning($"resource was not closed: {seg}");
            // ResOwnerReleaseDSM: the owner's entry goes first, so dsm_detach does not forget it again
            _segments.RemoveAt(_segments.Count - 1);
            seg.resowner = null;
            seg.Owner.dsm_detach(seg);
        }
    }
}
