// AllocatorModel: the reference model of PostgreSQL's memory contexts (pg-mmgr-dsa.md 1-6, 10),
// written from the semantics with lists and dictionaries, sharing no code with the port.
//
// It knows what a careful caller can know: the context tree (children newest first), names,
// types and parameters, isReset, callback stacks, each live chunk's owner, requested size, usable
// size (so GetMemoryChunkSpace) and known contents, the recycled AllocSet contexts on aset.c's
// free lists, and which calls must raise which ERROR. Blocks, the free lists inside a context and
// byte-exact accounting are the accounting model's (AccountingModel, one class per type), which
// rides on this one: its contexts and chunks carry their accounting twins (ModelContext.Accounting,
// ModelChunk.Accounting). The runner also checks the accounting relations that follow from the
// semantics alone (see AllocatorRunner.Verify).
//
// Protocol: Plan* predicts an Expectation without mutating anything; after the port ran, Commit*
// applies the outcome (success with the port's pointer, or the failure's side effects). Tree
// operations mutate directly (they cannot fail under the runner's preconditions).
namespace Models.Mmgr;

public sealed partial class AllocatorModel
{
    public const int FlagHuge = 0x01, FlagNoOom = 0x02, FlagZero = 0x04;

    private int _nextContextSerial;
    private int _nextChunkSerial;
    private int _nextCallbackId = 1;
    private readonly Stack<RecycledContext>[] _recycled = [new(), new()];

    public AllocatorModel(ModelOptions options)
    {
        Options = options;
        Hdr = options.ChunkHdr;
        Top = NewContext("TopMemoryContext", ModelContextKind.AllocSet, null, 0, 8192, 8 << 20, 0, isTop: true);
        ErrorContext = NewContext("ErrorContext", ModelContextKind.AllocSet, Top, 8192, 8192, 8192, 0, isError: true);
        Current = Top;
    }

    public ModelOptions Options { get; }
    public ulong Hdr { get; }
    public ModelContext Top { get; }
    public ModelContext ErrorContext { get; }
    public ModelContext Current { get; set; }

    /// <summary>Live contexts created by the caller, oldest first (Top and ErrorContext excluded).</summary>
    public List<ModelContext> UserContexts { get; } = new();

    /// <summary>Live chunks in allocation order (a realloc keeps its slot).</summary>
    public List<ModelChunk> Chunks { get; } = new();

    /// <summary>Freed chunks whose memory PostgreSQL provably still holds (for the hostile ops).</summary>
    public List<FreedChunk> Freed { get; } = new();

    /// <summary>Ids of reset callbacks in the order they ran.</summary>
    public List<int> FiredCallbacks { get; } = new();

    /// <summary>User pointers of chunks with damaged sentinels that an operation just dropped
    /// (reset, delete, free, realloc): their WARNINGs are allowed during that operation. Cleared by
    /// the caller.</summary>
    public List<ulong> DroppedDamaged { get; } = new();

    /// <summary>Bound on remembered freed chunks (oldest forgotten first).</summary>
    public const int FreedMax = 32;

    private readonly record struct RecycledContext(ulong Address, ulong AllocChunkLimit, ulong FirstBlockSize);

    /// <summary>Contexts on aset.c's recycled-context list 0 or 1.</summary>
    public int RecycledCount(int list) => _recycled[list].Count;

    /// <summary>Malloc'd bytes the recycled contexts keep (each is its keeper chunk only).</summary>
    public ulong RecycledBytes()
    {
        ulong sum = 0;
        foreach (Stack<RecycledContext> s in _recycled)
            foreach (RecycledContext r in s) sum += r.FirstBlockSize;
        return sum;
    }

    /// <summary>Address the next AllocSet create with these (min, init) will reuse, or 0.</summary>
    public ulong RecycledAddressFor(ulong min, ulong init)
    {
        int fl = ChunkGeometry.AllocSetFreeListIndex(min, init);
        return fl >= 0 && _recycled[fl].Count > 0 ? _recycled[fl].Peek().Address : 0;
    }

    public ulong ChunkSpace(ModelChunk c) => c.DataSize + BumpAwareHdr(c.Owner.Kind);

    private ulong BumpAwareHdr(ModelContextKind kind) => kind == ModelContextKind.Bump && !Options.Checking ? 0 : Hdr;

    /// <summary>MemoryContextIsEmpty.</summary>
    public static bool IsEmpty(ModelContext c)
    {
        if (c.Children.Count > 0) return false;
        return c.Kind switch
        {
            ModelContextKind.AllocSet => c.IsReset,
            ModelContextKind.Generation => c.LiveChunks == 0,
            ModelContextKind.Slab => !c.SlabHasBlocks,
            _ => !c.BumpAdvanced,
        };
    }

    /// <summary>How a malloc of n bytes goes: -1 certainly fails, 1 certainly succeeds, 0 unknown.</summary>
    public int MallocZone(ulong n) => n >= Options.HeapMax - 16 ? -1 : n <= Options.SafeMallocBytes ? 1 : 0;

    private ModelContext NewContext(string name, ModelContextKind kind, ModelContext? parent, ulong min, ulong init, ulong max, ulong chunk,
        bool isTop = false, bool isError = false, RecycledContext? recycled = null)
    {
        ulong limit = 0, first = 0, slabChunk = 0, full = 0, cpb = 0;
        int fl = -1;
        switch (kind)
        {
            case ModelContextKind.AllocSet:
                fl = ChunkGeometry.AllocSetFreeListIndex(min, init);
                limit = recycled?.AllocChunkLimit ?? ChunkGeometry.AllocSetChunkLimit(max, Hdr);
                first = recycled?.FirstBlockSize ?? ChunkGeometry.AllocSetFirstBlock(min, init, Hdr);
                break;
            case ModelContextKind.Generation:
                limit = ChunkGeometry.FractionChunkLimit(max, Hdr, ChunkGeometry.GenerationBlockHeader);
                first = ChunkGeometry.GenerationFirstBlock(min, init, Hdr);
                break;
            case ModelContextKind.Bump:
                limit = ChunkGeometry.FractionChunkLimit(max, Options.Checking ? 16UL : 0UL, Options.Checking ? 40UL : 32UL);
                first = ChunkGeometry.BumpFirstBlock(min, init, Options.Checking ? 16UL : 0UL);
                break;
            default:
                (slabChunk, full, cpb) = ChunkGeometry.Slab(init, chunk, Options.Checking);
                break;
        }
        var c = new ModelContext
        {
            Serial = _nextContextSerial++,
            Name = name,
            Kind = kind,
            Parent = parent,
            MinContextSize = min,
            InitBlockSize = init,
            MaxBlockSize = max,
            SlabBlockSize = init,
            SlabChunkSize = slabChunk,
            SlabChunkSizeAsCreated = chunk,
            SlabFullChunkSize = full,
            SlabChunksPerBlock = cpb,
            AllocChunkLimit = limit,
            FirstBlockSize = first,
            FreeListIndex = fl,
            IsTop = isTop,
            IsErrorContext = isError,
            Address = recycled?.Address ?? 0,
        };
        parent?.Children.Insert(0, c);
        return c;
    }

    // ------------------------------------------------------------------ create

    /// <summary>The name the runner gives the n-th created context.</summary>
    public string NextContextName => ContextName(_nextContextSerial);

    // The names of the first serials, made once per process: every creation asks for its name
    // two or three times (plan, port call, commit), and a fuzz run creates contexts by the dozen.
    // A benign race builds equal strings.
    private static readonly string?[] s_contextNames = new string?[1024];

    /// <summary>"ctx" and the serial.</summary>
    public static string ContextName(int serial)
    {
        if ((uint)serial >= (uint)s_contextNames.Length) return MakeContextName(serial);
        return s_contextNames[serial] ??= MakeContextName(serial);
    }

    private static string MakeContextName(int serial) => "ctx" + serial.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Predicts a context creation (parameters already in PostgreSQL's asserted domain).</summary>
    public Expectation PlanCreate(ModelContextKind kind, ulong min, ulong init, ulong max, ulong chunk)
    {
        string name = NextContextName;
        OomDetailText oom = OomDetailText.Create(name);
        ulong malloc;
        switch (kind)
        {
            case ModelContextKind.AllocSet:
                if (RecycledAddressFor(min, init) != 0) return Expectation.Ok();
                malloc = ChunkGeometry.AllocSetFirstBlock(min, init, Hdr);
                break;
            case ModelContextKind.Generation:
                malloc = ChunkGeometry.GenerationFirstBlock(min, init, Hdr);
                break;
            case ModelContextKind.Bump:
                malloc = ChunkGeometry.BumpFirstBlock(min, init, Options.Checking ? 16UL : 0UL);
                break;
            default:
                var (cs, _, cpb) = ChunkGeometry.Slab(init, chunk, Options.Checking);
                if (cpb == 0) return Expectation.Error($"block size {init} for slab is too small for {cs}-byte chunks");
                malloc = ChunkGeometry.SlabHeader;
                break;
        }
        return MallocZone(malloc) switch
        {
            -1 => Expectation.Error("out of memory", oom.ToString()),
            0 => new Expectation(ExpectKind.OkOrOom, "out of memory", null, oom),
            _ => Expectation.Ok(oom),
        };
    }

    public ModelContext CommitCreate(ModelContextKind kind, ModelContext? parent, ulong min, ulong init, ulong max, ulong chunk, ulong address)
    {
        RecycledContext? recycled = null;
        if (kind == ModelContextKind.AllocSet)
        {
            int fl = ChunkGeometry.AllocSetFreeListIndex(min, init);
            if (fl >= 0 && _recycled[fl].Count > 0) recycled = _recycled[fl].Pop();
        }
        ModelContext c = NewContext(NextContextName, kind, parent, min, init, max, chunk, recycled: recycled);
        c.Address = address;
        UserContexts.Add(c);
        return c;
    }

    /// <summary>A creation that failed still consumed its serial (the runner names contexts by serial).</summary>
    public void CommitCreateFailed() => _nextContextSerial++;

    // ------------------------------------------------------------------ callbacks

    /// <summary>MemoryContextRegisterResetCallback: pushes a new callback id and clears isReset.</summary>
    public int RegisterCallback(ModelContext c)
    {
        int id = _nextCallbackId++;
        c.Callbacks.Add(id);
        c.IsReset = false;
        return id;
    }

    /// <summary>The id the next RegisterCallback will return.</summary>
    public int RegisterCallbackPeekId() => _nextCallbackId;

    private void CallCallbacks(ModelContext c)
    {
        while (c.HasCallbacks)
        {
            int id = c.Callbacks[^1];
            c.Callbacks.RemoveAt(c.Callbacks.Count - 1);
            FiredCallbacks.Add(id);
        }
    }
}

/// <summary>A freed AllocSet small chunk whose memory stays on its context's free list until the
/// context is reset or deleted or the address is handed out again.</summary>
public sealed class FreedChunk
{
    public required ModelContext Owner { get; init; }
    public required ulong Address { get; init; }
    public required ulong Requested { get; init; }
    /// <summary>Expected bytes of [0, Requested) where Known[i] says whether byte i is predictable
    /// (0x7F under CLOBBER past the 8-byte link, or what a use-after-free write stored).</summary>
    public required byte[] Bytes { get; init; }
    public required bool[] Known { get; init; }
}
