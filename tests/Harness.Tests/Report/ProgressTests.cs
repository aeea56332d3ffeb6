// Tests of the engine-neutral progress display: the mode choice (tests' own writers, CI, explicit
// --progress, machine output on stdout), the folding of EventLog events into one snapshot, the
// Spectre panel's rendering (every field present, read from a StringWriter-backed console), the
// live renderer's redraw-in-place and lines above the panel, the plain renderer's lines on stderr,
// and that commands run through Program.Run never put panel output into stdout.
using Harness.Cli;
using Harness.Core;
using Harness.Report;
using Harness.Report.Progress;
using Harness.Tests.Fuzz.Engine;
using Xunit;

namespace Harness.Tests.Report;

public sealed class ProgressTests
{
    private static readonly (string, object?)[] FuzzStart =
        [("target", "maze"), ("seed", 7UL), ("execs", 100_000L), ("workers", 1)];

    private static ProgressState FuzzState()
    {
        var state = new ProgressState();
        state.Apply("fuzz", "start", 0.1, FuzzStart);
        state.Apply("fuzz", "coverage", 1.5, [("exec", 10L), ("corpus", 3), ("edges", 41), ("features", 57)]);
        state.Apply("fuzz", "finding", 2.0, [("signature", "invariant-failed:maze/deep")]);
        state.Apply("fuzz", "stats", 4.0, [("label", "pulse"), ("execs", 4096L), ("exec_per_s", 1024L), ("corpus", 4), ("edges", 42),
            ("features", 60), ("findings", 1)]);
        return state;
    }

    [Fact]
    public void Choose_PicksPlainForTestWritersCiAndMachineOutput_LiveOnlyOnAWatchedConsole()
    {
        Assert.Equal(ProgressMode.Plain, ProgressModes.Choose(null, stdoutIsConsole: false, consoleRedirected: false, null, false));
        Assert.Equal(ProgressMode.Plain, ProgressModes.Choose(null, true, consoleRedirected: true, null, false));
        Assert.Equal(ProgressMode.Plain, ProgressModes.Choose(null, true, false, ciVariable: "true", false));
        Assert.Equal(ProgressMode.Plain, ProgressModes.Choose(null, true, false, ciVariable: "1", false));
        Assert.Equal(ProgressMode.Plain, ProgressModes.Choose(null, true, false, null, machineOutputOnStdout: true));
        Assert.Equal(ProgressMode.Live, ProgressModes.Choose(null, true, false, null, false));
        Assert.Equal(ProgressMode.Live, ProgressModes.Choose(null, true, false, ciVariable: "false", false));
        Assert.Equal(ProgressMode.None, ProgressModes.Choose(ProgressMode.None, true, false, null, false));
        Assert.Equal(ProgressMode.Live, ProgressModes.Choose(ProgressMode.Live, false, true, "true", false));
        Assert.Equal(ProgressMode.Plain, ProgressModes.Choose(ProgressMode.Live, true, false, null, machineOutputOnStdout: true));
        Assert.Throws<UsageException>(() => ProgressModes.Parse("fancy"));
        Assert.Null(ProgressModes.Parse("auto"));
    }

    [Fact]
    public void Open_WithATestWriter_IsPlain_AndTheCommandWritesStraightToIt()
    {
        var w = new StringWriter();
        using ProgressSink sink = ProgressSink.Open(null, w, w);
        Assert.Equal(ProgressMode.Plain, sink.Mode);
        Assert.Same(w, sink.Out);
    }

    [Fact]
    public void State_FoldsTheFuzzEvents()
    {
        ProgressSnapshot s = FuzzState().Snapshot;
        Assert.Equal("fuzz", s.Engine);
        Assert.Equal("maze", s.Title);
        Assert.Equal(4096, s.Done);
        Assert.Equal(100_000, s.Budget);
        Assert.Equal("execs", s.Unit);
        Assert.Equal(1024, s.Rate);
        Assert.Equal(4, s.Corpus);
        Assert.Equal(42, s.Edges);
        Assert.Equal(1, s.Findings);   // the finding event and the stats count are one finding
        Assert.Equal(1.5, s.LastNewSeconds);
        Assert.Null(s.Schedules);
        Assert.Null(s.Stability);
    }

    [Fact]
    public void State_CountsGateCases_AndExploreSchedules()
    {
        var gate = new ProgressState();
        gate.Apply("gate", "start", 0, [("suites", new[] { "explore", "fuzz" })]);
        gate.Apply("gate", "case", 1, [("suite", "fuzz"), ("name", "a"), ("passed", true)]);
        gate.Apply("gate", "case", 2, [("suite", "fuzz"), ("name", "b"), ("passed", false)]);
        Assert.Equal(2, gate.Snapshot.Done);
        Assert.Equal(1, gate.Snapshot.Failed);
        Assert.Equal("explore,fuzz", gate.Snapshot.Title);

        var explore = new ProgressState();
        explore.Apply("explore", "start", 0, [("scenario", "locks/spinlock-mutex"), ("iterations", 1000)]);
        explore.Apply("explore", "stats", 1, [("iterations", 250), ("it_per_s", 250.0), ("distinct_schedules", 97L), ("failures", 0)]);
        Assert.Equal(250, explore.Snapshot.Done);
        Assert.Equal(1000, explore.Snapshot.Budget);
        Assert.Equal(97, explore.Snapshot.Schedules);
        Assert.Equal("iterations", explore.Snapshot.Unit);
    }

    [Fact]
    public void Panel_ShowsEveryField()
    {
        ProgressSnapshot s = FuzzState().Snapshot;
        string panel = LivePanel.Render(s, width: 80, ansi: false);
        foreach (string field in new[] { "fuzz maze (running)", "elapsed", "4s", "execs", "4096/100000", "execs/s", "1024", "corpus", "edges", "42 (60 features)",
                     "schedules", "findings", "last new", "2s ago", "stability" })
            Assert.Contains(field, panel);
        Assert.DoesNotContain("\u001b[", panel);
        // with ANSI on, the same text plus colour codes (the findings are red)
        string ansi = LivePanel.Render(s, width: 80, ansi: true);
        Assert.Contains("\u001b[", ansi);
        Assert.Contains("4096/100000", ansi);
    }

    [Fact]
    public void Live_RedrawsInPlace_AndPrintsCommandLinesAboveThePanel()
    {
        var terminal = new StringWriter();
        var live = new LiveProgress(terminal, () => 80);
        var sink = new ProgressSink(ProgressMode.Live, live, terminal, tick: false);
        var log = new FakeEvents(sink);
        log.Write("start", FuzzStart);
        string first = terminal.ToString();
        Assert.Contains("fuzz maze", first);
        Assert.DoesNotContain("\u001b[0J", first);   // nothing to erase yet
        int height = first.Count(c => c == '\n');
        sink.Out.WriteLine("finding invariant-failed:maze/deep");
        string after = terminal.ToString()[first.Length..];
        Assert.StartsWith($"\u001b[{height}F\u001b[0Jfinding invariant-failed:maze/deep\n", after);
        Assert.Contains("elapsed", after);   // the panel again, below the line
        sink.Dispose();
    }

    [Fact]
    public void Plain_WritesProgressLinesToItsOwnWriter_NotToStdout()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var sink = new ProgressSink(ProgressMode.Plain, new PlainProgress(stderr, stdout, intervalSeconds: 0), stdout, tick: false);
        var log = new FakeEvents(sink);
        log.Write("start", FuzzStart);
        log.Write("stats", ("execs", 4096L), ("exec_per_s", 1024L), ("corpus", 4), ("edges", 42), ("findings", 0));
        sink.Dispose();
        Assert.Equal("", stdout.ToString());
        Assert.Contains("progress: fuzz maze | elapsed ", stderr.ToString());
        Assert.Contains("| execs 4096/100000 | execs/s 1024 | corpus 4 | edges 42 |", stderr.ToString());
    }

    [Fact]
    public void Fuzz_ThroughProgramRun_KeepsStdoutFreeOfPanelOutput_AndRejectsABadMode()
    {
        string dir = TempDir.Create();
        try
        {
            foreach (string mode in new[] { "plain", "none" })
            {
                var w = new StringWriter();
                int code = global::Harness.Program.Run(["fuzz", "mmgr", "--execs", "300", "--corpus", "none", "--out", Path.Combine(dir, mode),
                    "--no-instrument", "--progress", mode], w, w);
                Assert.True(code is 0 or 1, w.ToString());
                Assert.DoesNotContain("\u001b[", w.ToString());
                Assert.Contains("fuzz: 300 execs", w.ToString());
            }
            var bad = new StringWriter();
            Assert.Equal(2, global::Harness.Program.Run(["fuzz", "mmgr", "--progress", "fancy"], bad, bad));
            Assert.Contains("Argument 'fancy' not recognized. Must be one of:", bad.ToString());   // System.CommandLine's choice check
            Assert.Contains("'live'", bad.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("live")]
    public void EventsOnStdout_StdoutCarriesOnlyTheJsonLog_PeopleGetStderr(string mode)
    {
        string dir = TempDir.Create();
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = global::Harness.Program.Run(["fuzz", "mmgr", "--execs", "300", "--corpus", "none", "--out", dir, "--no-instrument",
                "--events", "-", "--progress", mode], stdout, stderr);
            Assert.True(code is 0 or 1, stderr.ToString());
            string[] lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith("{\"event\":\"start\"", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("{\"event\":\"end\"", StringComparison.Ordinal));
            foreach (string line in lines)
                using (var doc = System.Text.Json.JsonDocument.Parse(line))
                    Assert.True(doc.RootElement.TryGetProperty("event", out _), line);
            Assert.Contains("fuzz: 300 execs", stderr.ToString());
            Assert.DoesNotContain("\u001b[", stderr.ToString());   // no panel even when asked: the log owns stdout
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Feeds a sink as an EventLog does (engine "fuzz", a rising elapsed time).</summary>
    private sealed class FakeEvents(IEventObserver observer)
    {
        private double _t;

        public void Write(string name, params (string, object?)[] fields) => observer.OnEvent("fuzz", name, _t += 1, fields);
    }
}
