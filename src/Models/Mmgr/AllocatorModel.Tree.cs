// AllocatorModel.Tree: the context tree operations of mcxt.c (pg-mmgr-dsa.md 1.6, 1.6.1, 2.9):
// reset, reset-only, reset-children (pre-order since PG17, quirk Q4), delete (bottom-up, newest
// sibling first), delete-children, set-parent, and aset.c's recycled-context lists.
namespace Models.Mmgr;

public sealed partial class AllocatorModel
{
    /// <summary>MemoryContextReset: delete the children, then ResetOnly.</summary>
    public void Reset(ModelContext c)
    {
        if (c.Children.Count > 0) DeleteChildren(c);
        ResetOnly(c);
    }

    /// <summary>MemoryContextResetOnly: if not isReset, callbacks (LIFO), the type's reset, isReset.</summary>
    public void ResetOnly(ModelContext c)
    {
        if (c.IsReset) return;
        CallCallbacks(c);
        DropChunksOf(c);
        c.SlabHasBlocks = false;
        c.BumpAdvanced = false;
        c.IsReset = true;
    }

    /// <summary>MemoryContextResetChildren: ResetOnly of every proper descendant, pre-order.</summary>
    public void ResetChildren(ModelContext c)
    {
        foreach (ModelContext child in c.Children.ToArray())
        {
            ResetOnly(child);
            ResetChildren(child);
        }
    }

    /// <summary>MemoryContextDelete: descendants first (newest sibling first), then c.</summary>
    public void Delete(ModelContext c)
    {
        while (c.Children.Count > 0) Delete(c.Children[0]);
        DeleteOnly(c);
    }

    public void DeleteChildren(ModelContext c)
    {
        while (c.Children.Count > 0) Delete(c.Children[0]);
    }

    private void DeleteOnly(ModelContext c)
    {
        CallCallbacks(c);
        SetParent(c, null);
        DropChunksOf(c);
        c.Deleted = true;
        UserContexts.Remove(c);
        if (c.Kind == ModelContextKind.AllocSet && c.FreeListIndex >= 0)
        {
            Stack<RecycledContext> list = _recycled[c.FreeListIndex];
            if (list.Count >= ChunkGeometry.MaxFreeContexts) list.Clear();
            list.Push(new RecycledContext(c.Address, c.AllocChunkLimit, c.FirstBlockSize));
        }
    }

    /// <summary>MemoryContextSetParent (no-op when the parent is unchanged).</summary>
    public static void SetParent(ModelContext c, ModelContext? parent)
    {
        if (c.Parent == parent) return;
        c.Parent?.Children.Remove(c);
        c.Parent = parent;
        parent?.Children.Insert(0, c);
    }

    /// <summary>True if <paramref name="a"/> is <paramref name="d"/> or one of its ancestors.</summary>
    public static bool IsAncestorOrSelf(ModelContext a, ModelContext d)
    {
        for (ModelContext? x = d; x is not null; x = x.Parent)
            if (x == a) return true;
        return false;
    }

    /// <summary>Pre-order list of c and its descendants (children in list order).</summary>
    public static void PreOrder(ModelContext c, List<ModelContext> into)
    {
        into.Add(c);
        foreach (ModelContext child in c.Children) PreOrder(child, into);
    }

    /// <summary>Depth below the root (a root is 0).</summary>
    public static int Depth(ModelContext c)
    {
        int d = 0;
        for (ModelContext? x = c.Parent; x is not null; x = x.Parent) d++;
        return d;
    }

    private void DropChunksOf(ModelContext c)
    {
        if (c.LiveChunks > 0)
        {
            for (int i = Chunks.Count - 1; i >= 0; i--)
            {
                ModelChunk ch = Chunks[i];
                if (ch.Owner != c) continue;
                NoteDroppedIfDamaged(ch);
                Chunks.RemoveAt(i);
            }
        }
        c.LiveChunks = 0;
        c.LiveSpace = 0;
        ForgetFreedOf(c);
    }

    /// <summary>All live root contexts the caller created (parent NULL), oldest first.</summary>
    public IEnumerable<ModelContext> UserRoots()
    {
        foreach (ModelContext c in UserContexts)
            if (c.Parent is null) yield return c;
    }
}
