// The worker speaks the forkserver protocol correctly: the test plays afl-fuzz's part (a SysV map,
// the two pipes, the per-run words), in persistent mode and in supervised mode, where a worker that
// dies (an uncatchable crash, or a kill as afl does on timeout) is reported and replaced. The worker
// runs the SharpFuzz-instrumented port: its probes must write afl's map.
using System.Diagnostics;
using System.IO.Pipes;
using Harness.Fuzz.Afl;
using Harness.Fuzz.Instrumentation;
using Xunit;

namespace Harness.Tests.Fuzz.Afl;

public sealed class AflWorkerProtocolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);   // a safety net, not an assertion

    [Fact]
    public void Persistent_worker_reports_coverage_and_labelled_faults()
    {
        using var afl = new FakeAfl(supervise: false);
        Assert.Equal(0xC001FFFFu, afl.Read());
        Assert.Equal((0u, afl.Process.Id), afl.Run(new byte[] { 0, 5, 0, 9, 1, 0, 2, 7, 3, 1 }));
        Assert.True(afl.EdgesInMap() > 3, "the instrumented port wrote no coverage into afl's map");
        Assert.Equal(6u, afl.Run("FUZZ"u8.ToArray()).Status);
        Assert.Equal(11u, afl.Run("SEGV"u8.ToArray()).Status);
        Assert.Equal(0u, afl.Run(new byte[] { 0, 1 }).Status);
        afl.CloseControl();
        Assert.True(afl.Process.WaitForExit(Patience));
        Assert.Equal(0, afl.Process.ExitCode);
    }

    [Fact]
    public void Supervisor_survives_worker_crashes_and_kills()
    {
        using var afl = new FakeAfl(supervise: true);
        Assert.Equal(0xC001FFFFu, afl.Read());
        (uint status, int first) = afl.Run(new byte[] { 0, 5, 0, 9, 1, 0 });
        Assert.Equal(0u, status);
        Assert.NotEqual(afl.Process.Id, first);                     // afl is told the worker's pid
        Assert.True(afl.EdgesInMap() > 3, "the worker wrote no coverage into afl's map");
        Assert.Equal((6u, first), afl.Run("FUZZ"u8.ToArray()));    // a classified fault keeps the worker

        Assert.Equal((7u, first), afl.Run("DIE!"u8.ToArray()));    // FailFast: the worker dies, reported as SIGBUS
        (status, int second) = afl.Run(new byte[] { 0, 1 });
        Assert.Equal(0u, status);
        Assert.NotEqual(first, second);

        afl.WriteInput("HANG"u8.ToArray());                         // afl times out and kills the pid it was given
        afl.Control(0);
        Assert.Equal(second, (int)afl.Read());
        Process.GetProcessById(second).Kill();
        Assert.Equal(7u, afl.Read());
        (status, int third) = afl.Run(new byte[] { 0, 1 }, wasKilled: 1);
        Assert.Equal(0u, status);
        Assert.NotEqual(second, third);

        afl.CloseControl();
        Assert.True(afl.Process.WaitForExit(Patience));
        Assert.Equal(0, afl.Process.ExitCode);
    }

    /// <summary>afl-fuzz's side: map, pipes, input file, and the worker process.</summary>
    private sealed class FakeAfl : IDisposable
    {
        private readonly AnonymousPipeServerStream _control = new(PipeDirection.Out, HandleInheritability.Inheritable);
        private readonly AnonymousPipeServerStream _status = new(PipeDirection.In, HandleInheritability.Inheritable);
        private readonly int _shmId;
        private readonly nint _map;
        private readonly string _dir;
        private readonly string _input;

        public Process Process { get; }

        public FakeAfl(bool supervise)
        {
            string folder = InstrumentedFolder.Ensure(TextWriter.Null);
            _dir = Directory.CreateTempSubdirectory("harness-afl-proto-").FullName;
            _input = Path.Combine(_dir, ".cur_input");
            File.WriteAllBytes(_input, Array.Empty<byte>());
            _shmId = Libc.CreateShared(SharpFuzzTrace.MapSize + 8);
            _map = Libc.AttachSharedAddress(_shmId);
            var psi = new ProcessStartInfo(DotnetHost.Path)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = _dir,
            };
            psi.ArgumentList.Add(Path.Combine(folder, "harness.dll"));
            psi.ArgumentList.Add("afl-worker");
            psi.ArgumentList.Add("sim-selftest");
            psi.ArgumentList.Add(_input);
            if (supervise) psi.ArgumentList.Add("--supervise");
            psi.Environment["__AFL_SHM_ID"] = _shmId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            psi.Environment[AflForkserver.FdsVariable] = _control.GetClientHandleAsString() + "," + _status.GetClientHandleAsString();
            psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
            Process = Process.Start(psi)!;
            Process.OutputDataReceived += (_, _) => { };
            Process.ErrorDataReceived += (_, _) => { };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
            _control.DisposeLocalCopyOfClientHandle();
            _status.DisposeLocalCopyOfClientHandle();
        }

        public void WriteInput(byte[] bytes) => File.WriteAllBytes(_input, bytes);

        public void Control(uint wasKilled)
        {
            _control.Write(BitConverter.GetBytes(wasKilled));
            _control.Flush();
        }

        public uint Read()
        {
            byte[] word = new byte[4];
            Task<int> read = Task.Run(() => { _status.ReadExactly(word); return 4; });
            Assert.True(read.Wait(Patience), "the worker did not answer");
            return BitConverter.ToUInt32(word);
        }

        /// <summary>One execution as afl does it: clear the map, write the input, go, pid, status.</summary>
        public (uint Status, int Pid) Run(byte[] input, uint wasKilled = 0)
        {
            System.Runtime.InteropServices.Marshal.Copy(new byte[SharpFuzzTrace.MapSize], 0, _map, SharpFuzzTrace.MapSize);
            WriteInput(input);
            Control(wasKilled);
            int pid = (int)Read();
            return (Read(), pid);
        }

        public int EdgesInMap()
        {
            byte[] copy = new byte[SharpFuzzTrace.MapSize];
            System.Runtime.InteropServices.Marshal.Copy(_map, copy, 0, copy.Length);
            return copy.Count(b => b != 0);
        }

        public void CloseControl() => _control.Dispose();

        public void Dispose()
        {
            _control.Dispose();
            if (!Process.WaitForExit(10_000)) Process.Kill(entireProcessTree: true);
            Process.Dispose();
            _status.Dispose();
            Libc.DetachShared(_map);
            Libc.RemoveShared(_shmId);
            Directory.Delete(_dir, recursive: true);
        }
    }
}
