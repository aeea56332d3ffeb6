// ProbeIds: the location id of every probe, derived from where it is rather than from a counter.
//
// id = FNV-1a(assembly name | method full name | original IL offset | salt), folded to 31 bits.
// Deriving ids from names (not from an instance counter, as SharpFuzz does) means (a) two
// assemblies never share an id sequence, (b) an unchanged method keeps its ids when other code
// changes, so corpora stay meaningful across rebuilds, and (c) output is deterministic.
//
// AFL only looks at the low 16 bits, so within one assembly the allocator re-salts an id whose
// low 16 bits are already taken (while the assembly has fewer probes than half the map), and ids
// listed as reserved (taken from other assemblies' manifests) are avoided the same way.
namespace Harness.Fuzz.Instrumentation;

internal sealed class ProbeIds
{
    private const int MaxSalts = 16;

    private readonly string _assembly;
    private readonly HashSet<int> _taken = new();
    private readonly HashSet<int> _takenLow = new();
    private readonly bool _spreadLow;

    public ProbeIds(string assemblyName, IEnumerable<int> reserved, int expectedProbes)
    {
        _assembly = assemblyName;
        foreach (int id in reserved)
        {
            _taken.Add(id);
            _takenLow.Add(id & 0xFFFF);
        }
        // Past half the map, collisions in the low bits are unavoidable; stop paying for re-salting.
        _spreadLow = expectedProbes + _takenLow.Count < Harness.Coverage.CoverageMap.MapSize / 2;
    }

    public int Next(string methodFullName, int ilOffset)
    {
        int id = 0;
        for (int salt = 0; ; salt++)
        {
            id = Hash(_assembly, methodFullName, ilOffset, salt);
            if (_taken.Contains(id)) continue;                       // full ids are always unique
            if (_spreadLow && salt < MaxSalts && _takenLow.Contains(id & 0xFFFF)) continue;
            break;
        }
        _taken.Add(id);
        _takenLow.Add(id & 0xFFFF);
        return id;
    }

    public static int Hash(string assembly, string method, int ilOffset, int salt)
    {
        ulong h = 14695981039346656037UL;                             // FNV-1a 64 offset basis
        h = Mix(h, assembly);
        h = Mix(h, "|");
        h = Mix(h, method);
        h = MixInt(h, ilOffset);
        h = MixInt(h, salt);
        return (int)((h ^ (h >> 32)) & 0x7FFF_FFFF);
    }

    private static ulong Mix(ulong h, string s)
    {
        foreach (char c in s)
        {
            h = (h ^ (byte)c) * 1099511628211UL;
            h = (h ^ (byte)(c >> 8)) * 1099511628211UL;
        }
        return h;
    }

    private static ulong MixInt(ulong h, int v)
    {
        for (int i = 0; i < 4; i++) h = (h ^ (byte)(v >> (8 * i))) * 1099511628211UL;
        return h;
    }
}
