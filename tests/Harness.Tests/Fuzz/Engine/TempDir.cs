// TempDir: a fresh, uniquely named folder under the system temp folder for one test.
namespace Harness.Tests.Fuzz.Engine;

internal static class TempDir
{
    private static int s_counter;

    public static string Create()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"harness-fuzz-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
