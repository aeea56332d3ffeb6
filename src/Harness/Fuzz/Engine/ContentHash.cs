// ContentHash: corpus and finding file names derived from content (SHA-256, first 20 bytes in hex,
// the length of libFuzzer's SHA-1 names), so the same input always gets the same name and two
// workers writing the same input never clash.
using System.Security.Cryptography;

namespace Harness.Fuzz.Engine;

public static class ContentHash
{
    public const int NameLength = 40;

    public static string Of(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        return Convert.ToHexStringLower(digest[..(NameLength / 2)]);
    }

    /// <summary>True if <paramref name="name"/> has the shape of a content-hash name.</summary>
    public static bool LooksLikeHashName(string name) =>
        name.Length == NameLength && name.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
