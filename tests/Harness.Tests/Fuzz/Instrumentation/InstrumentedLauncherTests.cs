// InstrumentedLauncher and InstrumentedFolder: an uninstrumented harness relaunches itself from a
// folder whose Allocator.dll is instrumented (and the child really runs it), the folder is reused,
// and the test process itself is correctly seen as uninstrumented.
using System.Diagnostics;
using Harness.Fuzz.Instrumentation;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class InstrumentedLauncherTests
{
    [Fact]
    public void Test_process_runs_the_uninstrumented_port()
    {
        Assert.False(InstrumentedLauncher.AllocatorIsInstrumented);
    }

    [Fact]
    public void Folder_holds_an_instrumented_allocator_and_is_reused()
    {
        string folder = InstrumentedFolder.Ensure(TextWriter.Null);
        string dll = Path.Combine(folder, "Allocator.dll");
        Assert.Equal(File.ReadAllBytes(InstrumentedFolder.BuiltCopy(AppContext.BaseDirectory)), File.ReadAllBytes(dll));
        Assert.True(File.Exists(Path.Combine(folder, "harness.dll")));
        DateTime written = File.GetLastWriteTimeUtc(dll);
        var log = new StringWriter();
        Assert.Equal(folder, InstrumentedFolder.Ensure(log));
        Assert.Equal(written, File.GetLastWriteTimeUtc(dll));
        Assert.DoesNotContain("SharpFuzz-instrumented", log.ToString());   // nothing was copied again
    }

    [Fact]
    public void Harness_relaunches_itself_instrumented_and_returns_the_childs_exit_code()
    {
        string dir = Directory.CreateTempSubdirectory("harness-launch-").FullName;
        try
        {
            string ok = Path.Combine(dir, "ok");
            string planted = Path.Combine(dir, "planted");
            File.WriteAllBytes(ok, new byte[] { 0, 5, 0, 9, 1, 0 });
            File.WriteAllBytes(planted, "FUZZ"u8.ToArray());
            (int code, string stdout, string stderr) = RunHarness("afl-worker", "sim-selftest", ok);
            Assert.Equal(0, code);
            Assert.Equal("ok", stdout.Trim());
            Assert.Contains("relaunching instrumented", stderr);
            Assert.Matches(@"afl-worker: coverage from SharpFuzz-instrumented Allocator, [1-9][0-9]* map bytes set", stderr);   // its probes wrote the map
            (code, stdout, _) = RunHarness("afl-worker", "sim-selftest", planted);
            Assert.Equal(1, code);
            Assert.Contains("invariant-failed", stdout);
            Assert.Contains("[afl signal 6]", stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static (int Code, string Stdout, string Stderr) RunHarness(params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove(InstrumentedLauncher.ChildVariable);
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, err.Result);
    }
}
