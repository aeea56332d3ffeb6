// `harness buffers`: the pool as pg_buffercache and pg_buffercache_summary would show it, after a
// buffer-manager workload has run up to a chosen step. The workload is a fuzz input or fuzz
// artifact of the buffers target, a property artifact's op list (a file of op lines), or the
// built-in demo. With --step N the ops from N on are not run, so a failing input can be looked at
// just before (or at) its failing step, every pin and lock still held.
using System.CommandLine;
using Allocator.Buffers;
using Harness.Artifacts;
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Properties;
using Harness.Systems.Buffers.Fuzz;
using Harness.Systems.Buffers.Oracle;
using Harness.Systems.Buffers.Properties;

namespace Harness.Systems.Buffers.Cli;

public sealed class BuffersCommand : IHarnessCommand
{
    public string Name => "buffers";
    public string Summary => "print the buffer pool (pg_buffercache) after a buffers input, up to a step";

    private readonly Argument<string?> _file = CliOptions.Optional("file", "a buffers fuzz input or artifact, a property artifact, or a file of op lines");
    private readonly Option<bool> _demo = CliOptions.Flag("--demo", "a small built-in workload (3 backends, 6 buffers) instead of FILE");
    private readonly Option<long?> _step = CliOptions.OptionalLong("--step", 0, long.MaxValue, "run only the first N operations, keeping their pins and locks (default: all)");
    private readonly Option<bool> _trace = CliOptions.Flag("--trace", "print each operation's result as it runs");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_file, _demo, _step, _trace);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool demo = args.Value(_demo);
        bool trace = args.Value(_trace);
        long step = args.Get(_step) ?? long.MaxValue;
        string? path = args.Get(_file);
        if (demo == (path is not null)) throw new UsageException("give either FILE or --demo");

        (BufferWorkload workload, IReadOnlyList<BufferOp> ops) = demo ? Demo() : Load(path!);
        if (step < ops.Count) ops = ops.Take((int)step).ToList();
        var runner = new BufferRunner(new BufferRunOptions(workload));
        if (!trace) stdout.WriteLine($"# {workload}; {ops.Count} operations");
        BufferRunResult r = runner.RunPrefix(ops, trace ? stdout : null);
        stdout.WriteLine($"# outcome: {r.Outcome} ({r.Skipped} skipped, {r.Errors} ERRORs, {r.Crashes} crashes)");
        if (runner.Pool is BufferPool pool)
        {
            stdout.WriteLine(PgBufferCache.Format(PgBufferCache.Rows(pool)));
            BufferCacheSummary s = PgBufferCache.Summary(pool);
            stdout.WriteLine($"buffers_used={s.buffers_used} buffers_unused={s.buffers_unused} buffers_dirty={s.buffers_dirty} buffers_pinned={s.buffers_pinned} usagecount_avg={s.usagecount_avg:0.00}");
        }
        return r.Outcome.IsFailure ? ExitCodes.Finding : ExitCodes.Ok;
    }

    private static (BufferWorkload, IReadOnlyList<BufferOp>) Load(string path)
    {
        if (!File.Exists(path)) throw new MalformedInputException($"{path}: no such file");
        byte[] bytes = File.ReadAllBytes(path);
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        if (text.TrimStart().StartsWith('{'))
        {
            ReproArtifact a = ReproArtifact.Load(path);
            if (a.Payload.Kind == PropertyReport.PayloadKind)
                return (BufferProperties.Workload, BufferOpText.Instance.ParseLines(a.Payload.Data));
            (byte[] input, _) = FuzzInputFile.Load(path);
            BufferCodec.Decoded d = BufferCodec.Decode(input, FuzzTargetConfig.FromDictionary(a.Config, path).OpsMax);
            return (d.Workload, d.Ops);
        }
        if (bytes.Length > 0 && bytes.All(c => c is (byte)'\n' or (byte)'\r' or (byte)'\t' || (c >= 0x20 && c < 0x7F)))
        {
            try
            {
                return (BufferProperties.Workload, BufferOpText.Instance.ParseLines(text));
            }
            catch (MalformedInputException)
            {
                // printable bytes that are not op lines: a raw fuzz input after all
            }
        }
        BufferCodec.Decoded raw = BufferCodec.Decode(bytes, FuzzTargetConfig.DefaultOpsMax);
        return (raw.Workload, raw.Ops);
    }

    /// <summary>Three backends meet on a six-buffer pool: pins, a dirty page, a lock held, an eviction.</summary>
    private static (BufferWorkload, IReadOnlyList<BufferOp>) Demo() => (BufferProperties.Workload, BufferOpText.Instance.ParseLines("""
        b0 read r0/0
        b0 modify #0 = 100
        b1 read r0/0
        b1 read r1/2 bulkread
        b2 read r3/1
        b2 lock #0 share
        b0 read r1/0
        b0 modify #1 = 200
        b1 release #1
        b0 evict r1/2
        b2 extend r2
        """));
}
