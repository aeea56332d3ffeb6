// AflSharedMap: attaches afl-fuzz's coverage map (SysV shm id in __AFL_SHM_ID) and points
// SharpFuzz's probes at it (SharpFuzzTrace). Under AFL_SKIP_BIN_CHECK afl's map is 64 KiB (plus
// 8 bytes), exactly SharpFuzzTrace.MapSize, and the hello announces that size so a smaller AFL_MAP_SIZE makes afl stop
// with a clear message instead of this process writing past the segment.
using System.Globalization;
using Harness.Fuzz.Instrumentation;

namespace Harness.Fuzz.Afl;

public static unsafe class AflSharedMap
{
    /// <summary>True when this process was started by afl-fuzz (or afl-showmap/afl-tmin).</summary>
    public static bool Present => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(AflProtocol.ShmIdVariable));

    /// <summary>Attaches the map named by __AFL_SHM_ID and makes it the probes' target.</summary>
    public static void Attach()
    {
        string s = Environment.GetEnvironmentVariable(AflProtocol.ShmIdVariable)
            ?? throw new InvalidOperationException($"{AflProtocol.ShmIdVariable} is not set");
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
            throw new Harness.Core.MalformedInputException($"{AflProtocol.ShmIdVariable} is not a shm id: '{s}'");
        SharpFuzzTrace.UseSharedMemory(Libc.AttachShared(id));
    }
}
