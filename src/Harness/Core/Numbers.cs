// Numbers: the one way the harness reads a 64-bit number written by a person or stored in a file:
// decimal, or hexadecimal with a 0x prefix; no sign, no spaces, no culture.
using System.Globalization;

namespace Harness.Core;

public static class Numbers
{
    public static bool TryParseULong(string s, out ulong value)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
