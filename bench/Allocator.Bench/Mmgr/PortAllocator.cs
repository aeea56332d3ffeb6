// PortAllocator: the workloads' view of the port: one AllocSet with ALLOCSET_DEFAULT_SIZES under
// TopMemoryContext, made current, exactly as the C reference harness sets it up.
using Allocator.Mmgr;
using Allocator.Sim;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Bench.Mmgr;

public readonly struct PortAllocator : IBenchAllocator
{
    private readonly Mcxt _mcxt;
    private readonly SimMemory _memory;
    private readonly ulong _context;

    public PortAllocator(MemoryContextOptions options)
    {
        _memory = new SimMemory();
        _mcxt = new Mcxt(_memory, new SimHeap(_memory), options);
        _mcxt.MemoryContextInit();
        _context = _mcxt.AllocSetContextCreate(_mcxt.TopMemoryContext, "bench", ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE);
        _mcxt.MemoryContextSwitchTo(_context);
    }

    public Mcxt Mcxt => _mcxt;

    public ulong Alloc(ulong size) => _mcxt.palloc(size);
    public void Free(ulong p) => _mcxt.pfree(p);
    public ulong Realloc(ulong p, ulong size) => _mcxt.repalloc(p, size);
    public void Reset() => _mcxt.MemoryContextReset(_context);
    public void Poke(ulong p, byte value) => _memory.WriteU8(p, value);
    public byte Peek(ulong p) => _memory.ReadU8(p);
}
