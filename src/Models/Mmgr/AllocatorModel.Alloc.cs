// AllocatorModel.Alloc: palloc and friends, repalloc, pfree and content writes, per type
// (pg-mmgr-dsa.md 1.4-1.5, 1.11, 2.4-2.8, 3.3-3.5, 4.3-4.5, 5.2, 6, quirks Q1-Q3, Q8, Q9).
namespace Models.Mmgr;

public sealed partial class AllocatorModel
{
    /// <summary>Predicts an allocation. Entry semantics: Palloc = palloc_extended(flags) in
    /// Current; MemoryContextAlloc = AllocHuge if HUGE, else AllocZero if ZERO, else Alloc (NO_OOM
    /// ignored); AllocExtended checks the size first; AllocAligned per alignedalloc.c.</summary>
    public Expectation PlanAlloc(ModelContext ctx, ulong size, int flags, ModelAllocEntry entry, ulong alignto, out AllocPlan plan)
    {
        plan = default;
        plan.Ctx = ctx;
        plan.Size = size;
        if (entry == ModelAllocEntry.MemoryContextAlloc) flags = (flags & FlagHuge) != 0 ? FlagHuge : flags & FlagZero;
        plan.Zero = (flags & FlagZero) != 0;
        if (entry == ModelAllocEntry.AllocAligned && alignto > 8)
        {
            ulong extra = ChunkGeometry.AlignedExtra(alignto, Options.Checking);
            ulong allocSize = unchecked(size + extra);
            if (allocSize < size)
            {
                plan.Skip = true;   // wraps: undefined behaviour in C
                return Expectation.Ok();
            }
            Expectation inner = PlanAlloc(ctx, allocSize, flags & ~FlagZero, ModelAllocEntry.AllocExtended, 0, out AllocPlan innerPlan);
            plan = innerPlan;
            plan.Size = size;
            plan.Aligned = true;
            plan.AlignTo = alignto;
            plan.Phantom = false;
            plan.Zero = (flags & FlagZero) != 0;
            return inner;
        }
        if (entry == ModelAllocEntry.AllocExtended || entry == ModelAllocEntry.AllocAligned)
        {
            ulong limit = (flags & FlagHuge) != 0 ? ChunkGeometry.MaxAllocHugeSize : ChunkGeometry.MaxAllocSize;
            if (size > limit) return Expectation.Error($"invalid memory alloc request size {size}");
        }
        plan.ClearsIsReset = true;
        Expectation e = PlanTypeAlloc(ctx, size, flags, ref plan);
        // Quirk Q2 with ZERO: the wrapper zeroes `size` bytes of a zero-byte chunk (C crashes).
        if (plan.Phantom && plan.Zero && e.Kind == ExpectKind.Ok) return new Expectation(ExpectKind.Fault, "MemSet of a wrapped size");
        return e;
    }

    /// <summary>The type's alloc method (after isReset was cleared).</summary>
    private Expectation PlanTypeAlloc(ModelContext ctx, ulong size, int flags, ref AllocPlan plan)
    {
        bool huge = (flags & FlagHuge) != 0, noOom = (flags & FlagNoOom) != 0;
        bool checking = Options.Checking;
        OomDetailText oom = OomDetailText.Request(ctx.Name, size);
        switch (ctx.Kind)
        {
            case ModelContextKind.AllocSet:
                if (size > ctx.AllocChunkLimit)
                {
                    if (ChunkGeometry.SizeCheck(size, huge) is string e) return Expectation.Error(e);
                    plan.External = true;
                    plan.DataSize = ChunkGeometry.AlignedData(size, checking);
                    return ByMalloc(plan.DataSize + ChunkGeometry.AllocBlockHeader + Hdr, oom, noOom);
                }
                plan.DataSize = ChunkGeometry.AllocSetSmallData(size);
                return Expectation.Ok(oom, noOom);
            case ModelContextKind.Generation:
            case ModelContextKind.Bump:
            {
                bool bump = ctx.Kind == ModelContextKind.Bump;
                ulong data = ChunkGeometry.AlignedData(size, checking);
                if (data > ctx.AllocChunkLimit)
                {
                    if (ChunkGeometry.SizeCheck(size, huge) is string e) return Expectation.Error(e);
                    plan.External = !bump;
                    plan.DataSize = data;
                    ulong blockHdr = bump ? (checking ? 40UL : 32UL) : ChunkGeometry.GenerationBlockHeader;
                    return ByMalloc(data + BumpAwareHdr(ctx.Kind) + blockHdr, oom, noOom);
                }
                if (data < size || (checking && data <= size))
                {
                    // Quirk Q2: MAXALIGN wrapped to 0, the small path runs with no size check.
                    if (checking) return new Expectation(ExpectKind.Abort, "Assert(size < chunk_size)", Oom: oom, NoOom: noOom);
                    plan.Phantom = true;
                }
                plan.DataSize = data;
                return Expectation.Ok(oom, noOom);
            }
            default:
                if (size != ctx.SlabChunkSize)
                    return Expectation.Error($"unexpected alloc chunk size {size} (expected {ctx.SlabChunkSize})");
                plan.DataSize = ctx.SlabFullChunkSize - Hdr;
                // One chunk per block: every block with a live chunk is full and sits on
                // blocklist[0], and a new block also belongs there, so slab.c's
                // Assert(dlist_is_empty(blocklist)) in SlabAllocFromNewBlock fires.
                if (ctx.SlabChunksPerBlock == 1 && ctx.LiveChunks > 0 && Options.AssertBuild)
                    return new Expectation(ExpectKind.Abort, "Assert(dlist_is_empty(blocklist))", Oom: oom, NoOom: noOom);
                if (!ctx.SlabHasBlocks) return ByMalloc(ctx.SlabBlockSize, oom, noOom);
                return MallocZone(ctx.SlabBlockSize) == 1 ? Expectation.Ok(oom, noOom) : new Expectation(ExpectKind.OkOrOom, "out of memory", null, oom, noOom);
        }
    }

    private Expectation ByMalloc(ulong n, OomDetailText oom, bool noOom) => MallocZone(n) switch
    {
        -1 => noOom ? new Expectation(ExpectKind.Null, NoOom: true) : Expectation.Error("out of memory", oom.ToString()),
        0 => new Expectation(ExpectKind.OkOrOom, "out of memory", null, oom, noOom),
        _ => Expectation.Ok(oom, noOom),
    };

    /// <summary>Records a successful allocation at the port's pointer.</summary>
    public ModelChunk CommitAlloc(in AllocPlan plan, ulong address)
    {
        ModelContext ctx = plan.Ctx;
        ctx.IsReset = false;
        var c = new ModelChunk
        {
            Serial = _nextChunkSerial++,
            Owner = ctx,
            Address = address,
            Requested = plan.Size,
            DataSize = plan.DataSize,
            External = plan.External,
            Aligned = plan.Aligned,
            AlignTo = plan.AlignTo,
            Phantom = plan.Phantom,
        };
        if (plan.Zero && c.HasContent && c.Requested > 0) c.SetKnown((int)c.Requested, ContentRun.Zero);
        Chunks.Add(c);
        Own(ctx, c);
        if (ctx.Kind == ModelContextKind.Slab) ctx.SlabHasBlocks = true;
        if (ctx.Kind == ModelContextKind.Bump && (plan.DataSize + BumpAwareHdr(ctx.Kind)) > 0) ctx.BumpAdvanced = true;
        ForgetFreedAt(address);
        if (plan.Aligned) ForgetFreedBelow(ctx, address, plan.AlignTo + 2 * Hdr);
        return c;
    }

    /// <summary>An allocation that raised after clearing isReset (OOM, Slab size, size check on
    /// a type's large path), or returned NULL under NO_OOM.</summary>
    public void CommitAllocFailed(in AllocPlan plan)
    {
        if (plan.ClearsIsReset) plan.Ctx.IsReset = false;
    }

    private void Own(ModelContext ctx, ModelChunk c)
    {
        ctx.LiveChunks++;
        ctx.LiveSpace += ChunkSpace(c);
    }

    private void Disown(ModelChunk c)
    {
        c.Owner.LiveChunks--;
        c.Owner.LiveSpace -= ChunkSpace(c);
    }

    // ------------------------------------------------------------------ repalloc

    /// <summary>Predicts repalloc / repalloc_extended (flags) / repalloc0 (entry 2).</summary>
    public Expectation PlanRealloc(ModelChunk c, ulong size, int flags, int entry, out ReallocPlan plan)
    {
        plan = default;
        plan.Chunk = c;
        plan.Size = size;
        if (entry == 2)
        {
            if (c.Requested > size) return Expectation.Error($"invalid repalloc0 call: oldsize {c.Requested}, new size {size}");
            plan.ZeroTail = true;
            flags = 0;
        }
        else if (entry == 0) flags = 0;
        flags &= ~FlagZero;
        ModelContext ctx = c.Owner;
        bool checking = Options.Checking;
        if (ctx.Kind == ModelContextKind.Bump)
        {
            if (!checking) { plan.Skip = true; return Expectation.Ok(); }
            // Assert builds: repalloc first calls GetMemoryChunkContext(pointer).
            if (Options.AssertBuild) return Expectation.Error("GetMemoryChunkContext is not supported by the bump memory allocator");
            return Expectation.Error(c.Aligned
                ? "GetMemoryChunkSpace is not supported by the bump memory allocator"
                : "realloc is not supported by the bump memory allocator");
        }
        if (c.Aligned)
        {
            Expectation e = PlanAlloc(ctx, size, flags, ModelAllocEntry.AllocAligned, c.AlignTo, out plan.NewChunk);
            plan.Skip = plan.NewChunk.Skip;
            return e;
        }
        switch (ctx.Kind)
        {
            case ModelContextKind.AllocSet:
                if (c.External)
                {
                    if (ChunkGeometry.SizeCheck(size, (flags & FlagHuge) != 0) is string err) return Expectation.Error(err);
                    plan.MayMove = true;
                    plan.NewChunk = new AllocPlan { Ctx = ctx, Size = size, External = true, DataSize = ChunkGeometry.AlignedData(size, checking) };
                    return ByMalloc(plan.NewChunk.DataSize + ChunkGeometry.AllocBlockHeader + Hdr, OomDetailText.Request(ctx.Name, size), (flags & FlagNoOom) != 0);
                }
                if (c.DataSize >= size) { plan.InPlace = true; return Expectation.Ok(); }
                break;
            case ModelContextKind.Generation:
                if (checking ? c.DataSize > size : c.DataSize >= size) { plan.InPlace = true; return Expectation.Ok(); }
                break;
            default:
                if (size == ctx.SlabChunkSize) { plan.InPlace = true; return Expectation.Ok(); }
                return Expectation.Error("slab allocator does not support realloc()");
        }
        plan.NewChunk = new AllocPlan { Ctx = ctx, Size = size };
        Expectation ne = PlanTypeAlloc(ctx, size, flags, ref plan.NewChunk);
        // Quirk Q2 through repalloc: the old bytes are copied into (and repalloc0 zeroes up to
        // the wrapped size of) a zero-byte chunk, past its end: undefined in C, not attempted.
        if (plan.NewChunk.Phantom && ne.Kind == ExpectKind.Ok) plan.Skip = true;
        return ne;
    }

    /// <summary>Records a successful repalloc returning <paramref name="address"/>.</summary>
    public void CommitRealloc(in ReallocPlan plan, ulong address)
    {
        ModelChunk c = plan.Chunk;
        ulong oldRequested = c.Requested;
        ulong oldAddress = c.Address;
        // SlabRealloc returns the same chunk untouched (no sentinel test or rewrite): damage stays.
        if (c.Owner.Kind == ModelContextKind.Slab) return;
        NoteDroppedIfDamaged(c);
        c.SentinelDamaged = false;
        if (!plan.InPlace)
        {
            Disown(c);
            bool wasSmallAset = c.Owner.Kind == ModelContextKind.AllocSet && !c.External && !c.Aligned;
            ulong oldData = c.DataSize;
            c.DataSize = plan.NewChunk.DataSize;
            c.External = plan.NewChunk.External;
            c.Phantom = plan.NewChunk.Phantom;
            c.Address = address;
            Own(c.Owner, c);
            if (address != oldAddress && wasSmallAset) RememberFreed(c.Owner, oldAddress, oldRequested, oldData);
            ForgetFreedAt(address);
            if (c.Aligned) ForgetFreedBelow(c.Owner, address, c.AlignTo + 2 * Hdr);
        }
        c.Requested = plan.Size;
        int keep = (int)Math.Min((ulong)c.KnownLength, plan.Size);
        if (c.Phantom || !c.HasContent) keep = 0;
        c.TruncateKnown(keep);
        if (plan.ZeroTail && c.HasContent && keep == (int)Math.Min(oldRequested, plan.Size)) c.AppendKnown((int)plan.Size, ContentRun.Zero);
    }

    // ------------------------------------------------------------------ pfree

    /// <summary>Predicts pfree of a live chunk.</summary>
    public Expectation PlanFree(ModelChunk c, out bool skip)
    {
        skip = false;
        if (c.Owner.Kind == ModelContextKind.Bump)
        {
            if (!Options.Checking) { skip = true; return Expectation.Ok(); }
            return Expectation.Error("pfree is not supported by the bump memory allocator");
        }
        return Expectation.Ok();
    }

    public void CommitFree(ModelChunk c)
    {
        NoteDroppedIfDamaged(c);
        Chunks.Remove(c);
        Disown(c);
        if (c.Owner.Kind == ModelContextKind.AllocSet && !c.External && !c.Aligned)
            RememberFreed(c.Owner, c.Address, c.Requested, c.DataSize);
    }

    private void NoteDroppedIfDamaged(ModelChunk c)
    {
        if (c.SentinelDamaged) DroppedDamaged.Add(c.Address);
    }

    // ------------------------------------------------------------------ contents

    /// <summary>The pattern byte WritePattern stores at offset i for a seed.</summary>
    public static byte PatternByte(byte seed, int i) => unchecked((byte)(seed + i * 167 + (i >> 8) * 13));

    /// <summary>PatternByte repeats every 65536 offsets (167 * 65536 and 13 * 256 are both 0 mod 256).</summary>
    public const int PatternPeriod = 1 << 16;

    private static readonly byte[]?[] s_patternTables = new byte[]?[256];

    /// <summary>One period of a seed's pattern: PatternTable(seed)[i % PatternPeriod] ==
    /// PatternByte(seed, i), so writers and comparers copy and compare spans instead of computing
    /// byte by byte. Built once per seed per process (a benign race builds equal tables).</summary>
    public static byte[] PatternTable(byte seed)
    {
        byte[]? t = s_patternTables[seed];
        if (t is not null) return t;
        t = new byte[PatternPeriod];
        for (int i = 0; i < t.Length; i++) t[i] = PatternByte(seed, i);
        s_patternTables[seed] = t;
        return t;
    }

    /// <summary>WritePattern: the whole requested range becomes known.</summary>
    public void WritePattern(ModelChunk c, byte seed)
    {
        if (!c.HasContent) return;
        c.SetKnown((int)c.Requested, seed);
    }

    // ------------------------------------------------------------------ freed chunks (hostile ops)

    private void RememberFreed(ModelContext owner, ulong address, ulong requested, ulong dataSize)
    {
        if (!Options.TrackFreed) return;
        _ = dataSize;
        ForgetFreedAt(address);
        if (Freed.Count >= FreedMax) Freed.RemoveAt(0);
        int n = (int)requested;
        var bytes = new byte[n];
        var known = new bool[n];
        if (Options.Clobber)
            for (int i = 8; i < n; i++) { bytes[i] = 0x7F; known[i] = true; }
        Freed.Add(new FreedChunk { Owner = owner, Address = address, Requested = requested, Bytes = bytes, Known = known });
    }

    private void ForgetFreedAt(ulong address)
    {
        for (int i = Freed.Count - 1; i >= 0; i--)
            if (Freed[i].Address == address) Freed.RemoveAt(i);
    }

    /// <summary>An aligned chunk's unaligned chunk starts up to alignto + header bytes before the
    /// aligned pointer (and may be a reused freed chunk): forget freed chunks there.</summary>
    private void ForgetFreedBelow(ModelContext owner, ulong address, ulong distance)
    {
        for (int i = Freed.Count - 1; i >= 0; i--)
            if (Freed[i].Owner == owner && Freed[i].Address <= address && address - Freed[i].Address <= distance) Freed.RemoveAt(i);
    }

    private void ForgetFreedOf(ModelContext owner)
    {
        for (int i = Freed.Count - 1; i >= 0; i--)
            if (Freed[i].Owner == owner) Freed.RemoveAt(i);
    }
}
