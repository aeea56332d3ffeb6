// Mcxt.AllocSet: installs AllocSet's method table and exposes AllocSetContextCreate
// (memutils.h AllocSetContextCreate / aset.c AllocSetContextCreateInternal) on the process.
//
// The AllocSet instance is also kept in a typed field so palloc/pfree/repalloc can call it without
// virtual dispatch once the method id says "aset" (the hot path of every workload).
namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    private AllocSet _aset = null!;

    /// <summary>This process's AllocSet method table (and aset.c's recycled-context lists).</summary>
    public AllocSet AllocSetMethods => _aset;

    partial void RegisterAllocSet()
    {
        _aset = new AllocSet(this);
        RegisterMethods(_aset);
    }

    /// <summary>AllocSetContextCreate(parent, name, minContextSize, initBlockSize, maxBlockSize).</summary>
    public ulong AllocSetContextCreate(ulong parent, string name, ulong minContextSize, ulong initBlockSize, ulong maxBlockSize) =>
        _aset.Create(parent, name, minContextSize, initBlockSize, maxBlockSize);
}
