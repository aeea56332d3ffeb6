// Tests of the batched, multi-worker engine: a run is a function of (seed, execs, workers) only:
// the same W twice gives byte-identical corpus and finding files; W=1 and W>1 agree exactly when a
// target's coverage does not depend on its execution history (the allocator target's own features
// and the maze); candidate j runs on worker j mod W; a --seconds stop lands between batches and its
// reported count repeats the run exactly.
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Fuzz;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class ParallelEngineTests
{
    private const string Canary = "FreelistIndexOffByOne";

    private static FuzzRunResult RunAllocator(int workers, long execs, string? outDir, string canary = Canary)
    {
        FuzzTargetConfig config = FuzzTargetConfig.Default with { Canary = canary };
        var options = new FuzzEngineOptions
        {
            Seed = 5,
            Execs = execs,
            Workers = workers,
            OutDir = outDir,
            StatusEvery = long.MaxValue,
            TargetConfig = config.ToDictionary(),
        };
        var factory = FuzzWorkerSetup.Factory(() => new AllocatorFuzzTarget(config), includeIlMap: false);
        return new FuzzEngine(factory, options, TextWriter.Null).Run();
    }

    private static FuzzRunResult RunMaze(int workers, long execs, double? seconds = null, TextWriter? log = null, List<MazeTarget>? targets = null)
    {
        var options = new FuzzEngineOptions { Seed = 9, Execs = execs, Seconds = seconds, Workers = workers, StatusEvery = 1 << 30 };
        return new FuzzEngine(_ =>
        {
            var t = new MazeTarget();
            targets?.Add(t);
            return new FuzzWorkerSetup(t, [t.Features]);
        }, options, log ?? TextWriter.Null).Run();
    }

    private static object Summary(FuzzRunResult r) => (
        string.Join(",", r.Corpus.Select(Convert.ToHexString)),
        string.Join(",", r.Findings.Select(f => $"{f.Signature}/{Convert.ToHexString(f.Input)}/{f.ExecIndex}/{f.Hits}")),
        r.Execs, r.Edges, r.Features);

    private static SortedDictionary<string, string> Files(string dir) => new(
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(dir, p), p => Convert.ToHexString(File.ReadAllBytes(p))),
        StringComparer.Ordinal);

    [Fact]
    public void TwoWorkers_SameRunTwice_ByteIdenticalCorpusAndFindings()
    {
        string a = TempDir.Create(), b = TempDir.Create();
        try
        {
            FuzzRunResult ra = RunAllocator(workers: 2, execs: 2_000, outDir: a);
            FuzzRunResult rb = RunAllocator(workers: 2, execs: 2_000, outDir: b);
            Assert.NotEmpty(ra.Findings); // the planted bug, so findings are compared too
            Assert.Equal(Summary(ra), Summary(rb));
            SortedDictionary<string, string> fa = Files(a), fb = Files(b);
            Assert.Contains(fa.Keys, k => k.StartsWith("findings", StringComparison.Ordinal));
            Assert.Equal(fa, fb);
            Assert.Equal(2, ra.Workers);
        }
        finally
        {
            Directory.Delete(a, recursive: true);
            Directory.Delete(b, recursive: true);
        }
    }

    [Fact]
    public void AllocatorFeatures_DoNotDependOnHistory_SoOneTwoAndThreeWorkersAgree()
    {
        FuzzRunResult one = RunAllocator(workers: 1, execs: 2_000, outDir: null);
        FuzzRunResult two = RunAllocator(workers: 2, execs: 2_000, outDir: null);
        FuzzRunResult three = RunAllocator(workers: 3, execs: 2_000, outDir: null);
        Assert.NotEmpty(one.Findings);
        Assert.Equal(Summary(one), Summary(two));
        Assert.Equal(Summary(one), Summary(three));
    }

    [Fact]
    public void Maze_OneAndFourWorkers_SameCorpusFindingsAndExecIndices()
    {
        FuzzRunResult one = RunMaze(workers: 1, execs: 30_000);
        FuzzRunResult four = RunMaze(workers: 4, execs: 30_000);
        Assert.Contains(one.Findings, f => f.Signature == "invariant-failed:maze/deep");
        Assert.Equal(Summary(one), Summary(four));
    }

    [Fact]
    public void CandidateJ_RunsOnWorkerJModW()
    {
        // 130 execs in batches of 64, 64, 2 over 3 workers: worker 0 runs j = 0, 3, ... of each batch.
        var targets = new List<MazeTarget>();
        RunMaze(workers: 3, execs: 130, targets: targets);
        Assert.Equal(3, targets.Count);
        // + 1 warm-up each; worker 0 also ran the empty seed input (a batch of one).
        Assert.Equal([1 + 1 + 22 + 22 + 1, 1 + 21 + 21 + 1, 1 + 21 + 21 + 0], targets.Select(t => t.Executions));
    }

    [Fact]
    public void SecondsStop_IsBetweenBatches_AndItsCountRepeatsTheRunExactly()
    {
        var log = new StringWriter();
        FuzzRunResult stopped = RunMaze(workers: 2, execs: long.MaxValue, seconds: 0.2, log: log);
        Assert.True(stopped.StoppedByTime);
        Assert.Equal(0, stopped.Execs % FuzzEngineOptions.DefaultBatchSize);
        Assert.Contains($"--execs {stopped.Execs} --workers 2", log.ToString());
        FuzzRunResult again = RunMaze(workers: 2, execs: stopped.Execs);
        Assert.False(again.StoppedByTime);
        Assert.Equal(Summary(stopped), Summary(again));
    }

    [Fact]
    public void FindingArtifact_RecordsTheWorkerCount()
    {
        string dir = TempDir.Create();
        try
        {
            FuzzRunResult r = RunAllocator(workers: 2, execs: 2_000, outDir: dir);
            Finding f = r.Findings.First(x => x.ArtifactPath is not null);
            Harness.Artifacts.ReproArtifact art = Harness.Artifacts.ReproArtifact.Load(f.ArtifactPath!);
            Assert.Equal("2", art.Config[FindingWriter.WorkersKey]);
            Assert.Equal(Canary, art.Config[FuzzTargetConfig.CanaryKey]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BadWorkerSetups_AreRejected()
    {
        var maze = new MazeTarget();
        var two = new FuzzEngineOptions { Execs = 10, Workers = 2 };
        Assert.Throws<ArgumentException>(() => new FuzzEngine(maze, [maze.Features], two, TextWriter.Null));
        Assert.Throws<ArgumentException>(() => new FuzzEngine(_ => new FuzzWorkerSetup(maze, [maze.Features]), two, TextWriter.Null).Run());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FuzzEngine(_ => new FuzzWorkerSetup(maze, [maze.Features]), two with { Workers = 0 }, TextWriter.Null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FuzzEngine(_ => new FuzzWorkerSetup(maze, [maze.Features]),
            two with { Workers = FuzzEngineOptions.MaxWorkers + 1 }, TextWriter.Null));
        Assert.Throws<ArgumentException>(() => new FuzzEngine(i =>
        {
            var t = new MazeTarget();
            return new FuzzWorkerSetup(t, i == 0 ? [t.Features] : [t.Features, new FeatureMap(8)]);
        }, two, TextWriter.Null).Run());
    }

    [Fact]
    public void WorkerFailure_SurfacesOnTheMainThread()
    {
        var options = new FuzzEngineOptions { Execs = 100, Workers = 2, StatusEvery = 1 << 30 };
        var e = Assert.Throws<InvalidOperationException>(() => new FuzzEngine(i =>
        {
            var t = new MazeTarget();
            return new FuzzWorkerSetup(t, i == 1 ? [new BrokenSource()] : [new FeatureMap(8)]);
        }, options, TextWriter.Null).Run());
        Assert.Contains("fuzz worker 1 failed", e.Message);
    }

    // A coverage source whose Reset fails: a bug in a worker's own machinery, not a target outcome.
    private sealed class BrokenSource : ICoverageSource
    {
        private readonly byte[] _map = new byte[256];
        public string Name => "features";
        public int Size => _map.Length;
        public void Reset() => throw new InvalidOperationException("broken source");
        public ReadOnlySpan<byte> Current => _map;
    }
}
