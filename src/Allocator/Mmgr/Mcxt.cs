// Mcxt: one simulated process's memory-context globals and the common layer of mcxt.c.
//
// PostgreSQL keeps CurrentMemoryContext, TopMemoryContext, ErrorContext, the method table and the
// debugging counters in process globals; here they are fields of one Mcxt per simulated process, so
// several processes (and tests) coexist. This file holds the state, MemoryContextCreate, the size
// check and the allocation-failure path, and the debugging helpers every context type shares
// (sentinels, wipe_mem, randomize_mem). The public API (palloc, pfree, tree operations, stats) is
// in the other Mcxt.*.cs files.
//
// Divergence from C: the `methods` field of a context header holds a fake address in static data
// (StaticBase + method id) instead of a vtable pointer, so a corrupted field decodes to "not a
// method table" and becomes a SimFault, as a call through a wild pointer would crash.
using System.Numerics;
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    public SimMemory Memory { get; }
    public SimHeap Heap { get; }
    public MemoryContextOptions Options { get; }
    public ElogSink Log { get; }

    /// <summary>sizeof(MemoryChunk) in this process's build: 8, or 16 with checking.</summary>
    public ulong ChunkHdrSz { get; }

    /// <summary>Method tables by method id; null entries are the reserved/unused ids.</summary>
    public MemoryContextMethods?[] Methods { get; } = new MemoryContextMethods?[16];

    /// <summary>CurrentMemoryContext.</summary>
    public ulong CurrentMemoryContext { get; set; }

    /// <summary>TopMemoryContext (0 until MemoryContextInit).</summary>
    public ulong TopMemoryContext { get; set; }

    /// <summary>ErrorContext (0 until MemoryContextInit).</summary>
    public ulong ErrorContext { get; set; }

    /// <summary>CritSectionCount: palloc in a critical section is asserted against unless allowed.</summary>
    public int CritSectionCount { get; set; }

    /// <summary>randomize_mem's process-wide counter (memdebug.c save_ctr): starts at 1, wraps after 251.</summary>
    public int RandomizeCounter { get; set; } = 1;

    /// <summary>The reusable collections of MemoryContextVerify. Shared between Mcxt instances when
    /// the constructor was given one (a caller that builds a new Mcxt per run passes the same
    /// scratch to each); such instances must not verify concurrently.</summary>
    public VerifyScratch VerifyScratch { get; }

    public Mcxt(SimMemory memory, SimHeap heap, MemoryContextOptions options, ElogSink? log = null, VerifyScratch? verifyScratch = null)
    {
        Memory = memory;
        Heap = heap;
        Options = options;
        Log = log ?? new ElogSink();
        VerifyScratch = verifyScratch ?? new VerifyScratch();
        ChunkHdrSz = options.ChunkHeaderSize;
        RegisterAllocSet();
        RegisterGeneration();
        RegisterSlab();
        RegisterBump();
        RegisterAlignedRedirect();
    }

    // Each context type installs its method table from its own file (Mcxt.AllocSet.cs and so on).
    partial void RegisterAllocSet();
    partial void RegisterGeneration();
    partial void RegisterSlab();
    partial void RegisterBump();
    partial void RegisterAlignedRedirect();

    /// <summary>Installs a context type's method table under its method id.</summary>
    public void RegisterMethods(MemoryContextMethods methods)
    {
        int id = (int)methods.MethodId;
        Pg.Assert(Methods[id] is null);
        Methods[id] = methods;
    }

    // ------------------------------------------------------------------ header field access

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public NodeTag GetTag(ulong c) => (NodeTag)Memory.ReadU32(c + OffType);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool GetIsReset(ulong c) => Memory.ReadU8(c + OffIsReset) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void SetIsReset(ulong c, bool v) => Memory.WriteU8(c + OffIsReset, v ? (byte)1 : (byte)0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool GetAllowInCritSection(ulong c) => Memory.ReadU8(c + OffAllowInCritSection) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void SetAllowInCritSection(ulong c, bool v) => Memory.WriteU8(c + OffAllowInCritSection, v ? (byte)1 : (byte)0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ulong GetMemAllocated(ulong c) => Memory.ReadU64(c + OffMemAllocated);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void SetMemAllocated(ulong c, ulong v) => Memory.WriteU64(c + OffMemAllocated, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ulong GetParent(ulong c) => Memory.ReadU64(c + OffParent);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ulong GetFirstChild(ulong c) => Memory.ReadU64(c + OffFirstChild);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ulong GetPrevChild(ulong c) => Memory.ReadU64(c + OffPrevChild);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ulong GetNextChild(ulong c) => Memory.ReadU64(c + OffNextChild);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ulong GetIdent(ulong c) => Memory.ReadU64(c + OffIdent);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ulong GetResetCbs(ulong c) => Memory.ReadU64(c + OffResetCbs);

    /// <summary>The context's name (read from simulated memory).</summary>
    public string GetName(ulong c) => Memory.ReadCString(Memory.ReadU64(c + OffName));

    /// <summary>The method table a context header points at; a corrupted `methods` field is a
    /// fault (PostgreSQL would jump through a wild pointer).</summary>
    public MemoryContextMethods MethodsOf(ulong c)
    {
        ulong m = Memory.ReadU64(c + OffMethods);
        ulong id = m - SimMemory.StaticBase;
        MemoryContextMethods? methods = id < 16 ? Methods[id] : null;
        return methods ?? throw new SimFaultException(m, 8, SimAccess.Read, $"call through invalid method table pointer 0x{m:x} of context 0x{c:x}");
    }

    /// <summary>MemoryContextIsValid: the header carries one of the four context tags.</summary>
    public bool MemoryContextIsValid(ulong c)
    {
        if (c == 0 || !Memory.IsMapped(c, SizeOfMemoryContextData)) return false;
        NodeTag t = GetTag(c);
        return t is NodeTag.T_AllocSetContext or NodeTag.T_GenerationContext or NodeTag.T_SlabContext or NodeTag.T_BumpContext;
    }

    // ------------------------------------------------------------------ creation

    /// <summary>MemoryContextCreate: fills the common header of a context the type has already laid
    /// out at <paramref name="node"/>, and links it as the newest child of <paramref name="parent"/>.</summary>
    public void MemoryContextCreate(ulong node, NodeTag tag, MemoryContextMethodID methodId, ulong parent, string name)
    {
        Pg.Assert(CritSectionCount == 0);
        Pg.Assert(node != parent);
        if (parent != 0) Pg.Assert(MemoryContextIsValid(parent));
        SimMemory m = Memory;
        m.WriteU32(node + OffType, (uint)tag);
        SetIsReset(node, true);
        SetMemAllocated(node, 0);   // the type's create function sets the real figure afterwards
        m.WriteU64(node + OffMethods, SimMemory.StaticBase + (ulong)methodId);
        m.WriteU64(node + OffParent, parent);
        m.WriteU64(node + OffFirstChild, 0);
        m.WriteU64(node + OffPrevChild, 0);
        m.WriteU64(node + OffNextChild, 0);
        m.WriteU64(node + OffName, m.InternString(name));
        m.WriteU64(node + OffIdent, 0);
        m.WriteU64(node + OffResetCbs, 0);
        if (parent != 0)
        {
            ulong first = GetFirstChild(parent);
            m.WriteU64(node + OffNextChild, first);
            if (first != 0) m.WriteU64(first + OffPrevChild, node);
            m.WriteU64(parent + OffFirstChild, node);
            SetAllowInCritSection(node, GetAllowInCritSection(parent));
        }
        else
        {
            SetAllowInCritSection(node, false);
        }
    }

    // ------------------------------------------------------------------ block sizing

    /// <summary>The block-size step that AllocSet, Generation and Bump share when they need a new
    /// block: returns the context's nextBlockSize and stores min(2 * nextBlockSize, maxBlockSize) in
    /// its place (both are uint32 fields, at the type's own offsets). maxBlockSize is at most
    /// 0x3FFFFFFF, so the doubling cannot overflow.</summary>
    internal ulong TakeNextBlockSize(ulong context, ulong offNextBlockSize, ulong offMaxBlockSize)
    {
        ulong blksize = Memory.ReadU32(context + offNextBlockSize);
        ulong next = blksize << 1;
        ulong max = Memory.ReadU32(context + offMaxBlockSize);
        Memory.WriteU32(context + offNextBlockSize, (uint)(next > max ? max : next));
        return blksize;
    }

    /// <summary>The new-block size of GenerationAllocFromNewBlock and BumpAllocFromNewBlock: the
    /// doubling step above, raised to the next power of two when <paramref name="required_size"/>
    /// (chunk, chunk header and block header) does not fit in it.</summary>
    internal ulong TakeNextBlockSize(ulong context, ulong offNextBlockSize, ulong offMaxBlockSize, ulong required_size)
    {
        ulong blksize = TakeNextBlockSize(context, offNextBlockSize, offMaxBlockSize);
        return blksize < required_size ? BitOperations.RoundUpToPowerOf2(required_size) : blksize;
    }

    /// <summary>The block malloc of every context type's allocation paths: mallocs
    /// <paramref name="blksize"/> bytes and adds them to the context's mem_allocated. When malloc
    /// fails: MemoryContextAllocationFailure for the request of <paramref name="size"/> bytes, so
    /// ERROR "out of memory", or 0 (nothing counted) under MCXT_ALLOC_NO_OOM.</summary>
    internal ulong MallocBlock(ulong context, ulong blksize, ulong size, int flags)
    {
        ulong block = Heap.Malloc(blksize);
        if (block == 0)
            return MemoryContextAllocationFailure(context, size, flags);
        SetMemAllocated(context, GetMemAllocated(context) + blksize);
        return block;
    }

    // ------------------------------------------------------------------ context creation

    /// <summary>The block-size parameter Asserts that AllocSetContextCreateInternal,
    /// GenerationContextCreate and BumpContextCreate open with: init MAXALIGNed and at least 1 KiB;
    /// max MAXALIGNed, at least init, a valid huge size and at most MEMORYCHUNK_MAX_BLOCKOFFSET; min
    /// 0 or MAXALIGNed in [1 KiB, max].</summary>
    internal static void AssertBlockSizeParameters(ulong minContextSize, ulong initBlockSize, ulong maxBlockSize)
    {
        Pg.Assert(initBlockSize == MAXALIGN(initBlockSize) && initBlockSize >= 1024);
        Pg.Assert(maxBlockSize == MAXALIGN(maxBlockSize) && maxBlockSize >= initBlockSize && AllocHugeSizeIsValid(maxBlockSize));
        Pg.Assert(minContextSize == 0 || (minContextSize == MAXALIGN(minContextSize) && minContextSize >= 1024 && minContextSize <= maxBlockSize));
        Pg.Assert(maxBlockSize <= MEMORYCHUNK_MAX_BLOCKOFFSET);
    }

    /// <summary>The malloc of a new context's header (and, for all types but Slab, its keeper
    /// block). When it fails: the stats dump of TopMemoryContext and ERROR "out of memory"
    /// (ContextCreationFailure), as every type's create function does.</summary>
    internal ulong MallocContext(ulong size, string name)
    {
        ulong context = Heap.Malloc(size);
        if (context == 0)
        {
            if (TopMemoryContext != 0) MemoryContextStatsToLog(TopMemoryContext);
            throw ContextCreationFailure(name);
        }
        return context;
    }

    // ------------------------------------------------------------------ size check and OOM

    /// <summary>MemoryContextCheckSize: ERROR "invalid memory alloc request size" for a size over
    /// MaxAllocSize (without HUGE) or over MaxAllocHugeSize.</summary>
    public static void MemoryContextCheckSize(ulong context, ulong size, int flags)
    {
        _ = context;
        if (!AllocSizeIsValid(size))
        {
            if ((flags & MCXT_ALLOC_HUGE) == 0 || !AllocHugeSizeIsValid(size))
                throw new PgErrorException($"invalid memory alloc request size {size}");
        }
    }

    /// <summary>MemoryContextAllocationFailure: NULL under NO_OOM; otherwise the stats dump to the
    /// log and ERROR "out of memory".</summary>
    public ulong MemoryContextAllocationFailure(ulong context, ulong size, int flags)
    {
        if ((flags & MCXT_ALLOC_NO_OOM) != 0) return 0;
        if (TopMemoryContext != 0) MemoryContextStatsToLog(TopMemoryContext);
        throw new PgErrorException("out of memory", $"Failed on request of size {size} in memory context \"{GetName(context)}\".");
    }

    /// <summary>The ERROR for a failed malloc of a new context's header.</summary>
    public static PgErrorException ContextCreationFailure(string name) =>
        new("out of memory", $"Failed while creating memory context \"{name}\".");

    // ------------------------------------------------------------------ memdebug.c helpers

    /// <summary>set_sentinel: 0x7E at base + offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetSentinel(ulong @base, ulong offset) => Memory.WriteU8(@base + offset, SentinelByte);

    /// <summary>sentinel_ok.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool SentinelOk(ulong @base, ulong offset) => Memory.ReadU8(@base + offset) == SentinelByte;

    /// <summary>wipe_mem under CLOBBER_FREED_MEMORY (no-op otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WipeMem(ulong address, ulong size)
    {
        if (Options.ClobberFreedMemory && size != 0) Memory.Fill(address, size, ClobberByte);
    }

    /// <summary>randomize_mem under RANDOMIZE_ALLOCATED_MEMORY (no-op otherwise): bytes 1..251
    /// from the process-wide counter, which persists across calls.</summary>
    public void RandomizeMem(ulong address, ulong size)
    {
        if (!Options.RandomizeAllocatedMemory || size == 0) return;
        Span<byte> span = Memory.Span(address, size);
        int ctr = RandomizeCounter;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (byte)ctr;
            if (++ctr > 251) ctr = 1;
        }
        RandomizeCounter = ctr;
    }

    /// <summary>Formats a simulated pointer as PostgreSQL's %p does.</summary>
    public static string Ptr(ulong address) => address == 0 ? "(nil)" : $"0x{address:x}";
}
