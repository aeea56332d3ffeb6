// MemoryContextCounters (memnodes.h): the totals a stats method adds to, and MemoryContextStats prints.
namespace Allocator.Mmgr;

public struct MemoryContextCounters
{
    public ulong nblocks;
    public ulong freechunks;
    public ulong totalspace;
    public ulong freespace;

    public readonly ulong Used => totalspace - freespace;

    public void Add(in MemoryContextCounters other)
    {
        nblocks += other.nblocks;
        freechunks += other.freechunks;
        totalspace += other.totalspace;
        freespace += other.freespace;
    }
}
