// StableName: a hash of a name that is the same in every process and on every machine (FNV-1a
// over UTF-16 code units). string.GetHashCode is randomized per process, so anything that derives
// a seed or a feature from a name uses this instead.
namespace Harness.Core;

public static class StableName
{
    public static ulong Hash(string name)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in name) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    /// <summary>The 32-bit FNV-1a of the name, as a non-negative int (for feature ids).</summary>
    public static int Hash31(string name)
    {
        uint h = 2166136261;
        foreach (char c in name) h = (h ^ c) * 16777619;
        return (int)(h & 0x7FFFFFFF);
    }
}
