// SimRegion: one extra mapping of the simulated address space (static data, a shared memory
// segment, a DSM segment). The process heap is not a SimRegion: it has its own fast path in
// SimMemory. Two SimMemory instances (two simulated backends) may map the same backing array,
// at the same or at different base addresses, which is how shared memory is simulated.
namespace Allocator.Sim;

public sealed class SimRegion
{
    public string Name { get; }
    public ulong Base { get; }
    public ulong Length { get; }

    /// <summary>The bytes. Shared between the SimMemory instances that map the same segment.</summary>
    public byte[] Backing { get; }

    public SimRegion(string name, ulong @base, byte[] backing)
    {
        Name = name;
        Base = @base;
        Backing = backing;
        Length = (ulong)backing.LongLength;
    }

    public ulong End => Base + Length;

    public bool Contains(ulong address, ulong length) =>
        address >= Base && length <= Length && address - Base <= Length - length;
}
