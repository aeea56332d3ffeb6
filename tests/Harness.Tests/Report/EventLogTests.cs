// The JSONL event log: what a campaign writes (fuzz, explore, gate on the counter system), and
// that a reader gets every complete event back from a log cut off mid-line, while a damaged line
// elsewhere is a clear error.
using System.Text.Json;
using Harness.Core;
using Harness.Report;
using Harness.Tests.Fuzz.Engine;
using Harness.Tests.Systems.Counter;
using Xunit;

namespace Harness.Tests.Report;

[Collection(global::Harness.Tests.Explore.Coyote.CoyoteCollection.Name)]
public sealed class EventLogTests
{
    private static readonly SystemRegistry Systems = SystemRegistry.Default.With(new CounterSystem());

    private static (int Code, string Output) Harness(params string[] args) => HarnessRun.Run(Systems, args);

    private static string[] Kinds(string path) => [.. EventLog.Read(path, out _).Select(e => e.GetProperty("event").GetString()!)];

    [Fact]
    public void A_log_cut_off_mid_line_reads_back_every_complete_event()
    {
        string dir = TempDir.Create();
        try
        {
            string path = Path.Combine(dir, "e.jsonl");
            using (var log = new EventLog(path, "test"))
            {
                log.Write("start", ("seed", 7UL), ("config", new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }), ("dirs", new[] { "x" }));
                log.Write("end", ("execs", 10L), ("ok", true), ("note", null));
            }
            File.AppendAllText(path, "{\"event\":\"stats\",\"exe");   // the writer was killed here
            IReadOnlyList<JsonElement> events = EventLog.Read(path, out int truncated);
            Assert.Equal(1, truncated);
            Assert.Equal(["start", "end"], events.Select(e => e.GetProperty("event").GetString()));
            Assert.Equal(7UL, events[0].GetProperty("seed").GetUInt64());
            Assert.Equal("1", events[0].GetProperty("config").GetProperty("a").GetString());
            Assert.Equal("test", events[1].GetProperty("engine").GetString());
            Assert.True(events[1].GetProperty("ok").GetBoolean());

            File.WriteAllText(path, "{\"event\":\"start\"}\nnot json\n{\"event\":\"end\"}\n");
            var e = Assert.Throws<MalformedInputException>(() => EventLog.Read(path, out _));
            Assert.Contains("e.jsonl:2:", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Fuzz_writes_its_configuration_coverage_stats_finding_and_end()
    {
        string dir = TempDir.Create();
        try
        {
            (int code, string output) = Harness("fuzz", "counter", "--seed", "3", "--execs", "3000", "--no-instrument", "--corpus", "none",
                "--canary", BoundedCounter.IncPastCap, "--out", dir);
            Assert.True(code == 1, output);
            string log = Path.Combine(dir, "events.jsonl");
            string[] kinds = Kinds(log);
            Assert.Equal("start", kinds[0]);
            Assert.Equal("end", kinds[^1]);
            Assert.Contains("coverage", kinds);
            Assert.Contains("stats", kinds);
            JsonElement start = EventLog.Read(log, out _)[0];
            Assert.Equal(3UL, start.GetProperty("seed").GetUInt64());
            Assert.Equal(BoundedCounter.IncPastCap, start.GetProperty("config").GetProperty("canary").GetString());
            JsonElement finding = EventLog.Read(log, out _).First(e => e.GetProperty("event").GetString() == "finding");
            string repro = finding.GetProperty("repro").GetString()!;
            Assert.StartsWith("harness repro ", repro);
            Assert.True(File.Exists(repro["harness repro ".Length..]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Explore_and_gate_write_start_and_end_with_their_counts()
    {
        string dir = TempDir.Create();
        try
        {
            (int code, string output) = Harness("explore", "counter/bounded-increment", "--iterations", "50", "--artifacts", dir);
            Assert.True(code == 0, output);
            IReadOnlyList<JsonElement> events = EventLog.Read(Path.Combine(dir, "events.jsonl"), out _);
            Assert.Equal("start", events[0].GetProperty("event").GetString());
            Assert.Equal("counter/bounded-increment", events[0].GetProperty("scenario").GetString());
            Assert.Equal(50, events[^1].GetProperty("iterations").GetInt32());

            string junit = Path.Combine(dir, "gate", "junit.xml");
            (int gate, string gateOut) = Harness("gate", "--suite", "properties", "--repo", dir, "--junit", junit, "--artifacts", Path.Combine(dir, "a"));
            Assert.True(gate == 0, gateOut);
            string[] kinds = Kinds(Path.Combine(dir, "gate", "events.jsonl"));
            Assert.Equal("start", kinds[0]);
            Assert.Equal("end", kinds[^1]);
            Assert.Contains("case", kinds);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
