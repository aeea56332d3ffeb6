// FpmOptions: the run-time switches of the FreePageManager port. The default is PostgreSQL 17 as
// written (freepage.c), with FPM_EXTRA_ASSERTS' counter kept but its end-of-operation asserts left
// to FreePageManagerCheck (FPM2/FPM7), so a run reports the violation instead of stopping at it.
namespace Allocator.Dsa;

public sealed record FpmOptions
{
    public static FpmOptions Default { get; } = new();

    /// <summary>Evaluate FPM_EXTRA_ASSERTS' asserts at the end of Get and Put (free_pages equals the
    /// sum over spans, btree and recycled pages; contiguous_pages equals the largest run), as an
    /// FPM_EXTRA_ASSERTS build does. Needs a layout with the counter.</summary>
    public bool AssertExtra { get; init; }

    /// <summary>Fix for the page lost by FreePageBtreeRemovePage when it empties the root: PostgreSQL
    /// clears btree_root without recycling the root page, so that page is neither free, nor a btree
    /// page, nor handed out (finding F1 in FreePageManager.Btree.cs). With the fix the old root goes
    /// onto the recycle list and Cleanup gives it back.</summary>
    public bool FixRootPageLeak { get; init; }

    /// <summary>A planted bug for the harness's canary runs; None is PostgreSQL.</summary>
    public FpmCanary Canary { get; init; }
}

/// <summary>Deliberately broken variants, switched on only by canary runs.</summary>
public enum FpmCanary
{
    None,

    /// <summary>PutInternal, having merged the new run into its predecessor, forgets to absorb a
    /// successor it now touches: two free runs touch (FPM4) and the largest run is too small.</summary>
    PutForgetsNextMerge,
}
