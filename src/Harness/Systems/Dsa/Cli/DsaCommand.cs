// `harness dsa FILE`: replays a dsa_area workload and says what happened, op by op with --trace,
// and prints the area as dsa_dump shows it (handle, limits, segment bins, pools and spans) with
// --dump. FILE is a dsa-area fuzz input or fuzz artifact, a DSA property artifact, or a file of op
// lines (run on --property's workload, default area-256k64). With --step N only the first N ops
// run, so a failing input can be looked at just before (or at) its failing step.
// `harness show dsa FILE [--step N]` is the same replay, printing the dump (DsaShow).
using System.CommandLine;
using System.Text;
using Allocator.Dsa;
using Harness.Artifacts;
using Harness.Cli;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Properties;
using Harness.Systems.Dsa.Fuzz;
using Harness.Systems.Dsa.Oracle;
using Harness.Systems.Dsa.Properties;

namespace Harness.Systems.Dsa.Cli;

public sealed class DsaCommand : IHarnessCommand
{
    public const string DefaultProperty = "area-256k64";

    public string Name => "dsa";
    public string Summary => "replay a dsa_area input (ops, property or fuzz artifact, fuzz input), up to a step";

    private readonly Argument<string> _file = CliOptions.Required("file", "a dsa-area fuzz input or artifact, a DSA property artifact, or a file of op lines");
    private readonly Option<long?> _step = CliOptions.OptionalLong("--step", 0, long.MaxValue, "run only the first N operations (default: all)");
    private readonly Option<bool> _trace = CliOptions.Flag("--trace", "print each operation and its result as it runs");
    private readonly Option<bool> _dump = CliOptions.Flag("--dump", "print dsa_dump of the area afterwards (as `harness show dsa FILE` does)");
    private readonly Option<string> _property = CliOptions.Text("--property", DefaultProperty, "the workload of a file of op lines (an artifact names its own)", "P");
    private readonly Option<string> _canary = CliOptions.Text("--canary", PropertySuite.NoCanary, "run with a planted bug (an artifact names its own)", "C");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_file, _step, _trace, _dump, _property, _canary);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool trace = args.Value(_trace);
        bool dump = args.Value(_dump);
        long step = args.Get(_step) ?? long.MaxValue;
        string property = args.Value(_property);
        string canary = args.Value(_canary);
        string path = args.Get(_file)!;
        return Replay(path, step, trace, dump, property, canary, stdout);
    }

    /// <summary>Loads, runs up to <paramref name="step"/> ops, prints the outcome (and the dump).</summary>
    public static int Replay(string path, long step, bool trace, bool dump, string property, string canary, TextWriter stdout)
    {
        (DsaWorkload workload, IReadOnlyList<DsaOp> ops) = Load(path, property, canary);
        if (step < ops.Count) ops = ops.Take((int)step).ToList();
        stdout.WriteLine($"# {workload}; {ops.Count} operations");
        var runner = new DsaRunner(workload);
        DsaRunResult r = runner.Run(ops, trace ? stdout : null);
        stdout.WriteLine($"# outcome: {r.Outcome}");
        stdout.WriteLine($"# {r.LeakedSpanObjects} span object(s) leaked (D1), {r.LostPages} page(s) lost (F1), {r.Ooms} OOM, {r.Skipped} skipped");
        if (dump)
        {
            if (runner.Area is { } a) stdout.Write(a.dsa_dump());
            else stdout.WriteLine("# no backend is attached: nothing to dump");
        }
        return r.Outcome.IsFailure ? ExitCodes.Finding : ExitCodes.Ok;
    }

    public static (DsaWorkload, IReadOnlyList<DsaOp>) Load(string path, string property, string canary)
    {
        if (!File.Exists(path)) throw new MalformedInputException($"{path}: no such file");
        byte[] bytes = File.ReadAllBytes(path);
        string text = Encoding.UTF8.GetString(bytes);
        if (text.TrimStart().StartsWith('{'))
        {
            ReproArtifact a = ReproArtifact.Load(path);
            string c = a.Config.TryGetValue("canary", out string? ac) ? ac : PropertySuite.NoCanary;
            if (a.Payload.Kind == PropertyReport.PayloadKind)
            {
                string p = a.Config.TryGetValue("property", out string? ap) ? ap : property;
                bool checking = !a.Config.TryGetValue("checking", out string? ch) || ch != "off";
                return (DsaProperties.Workload(p, checking, c), DsaOpText.Instance.ParseLines(a.Payload.Data));
            }
            (byte[] input, _) = FuzzInputFile.Load(path);
            DsaCodec.Decoded d = DsaCodec.Decode(input, FuzzTargetConfig.FromDictionary(a.Config, path).OpsMax, true, DsaProperties.ParseCanary(c).Dsa);
            return (d.Workload, d.Ops);
        }
        if (bytes.Length > 0 && bytes.All(c => c is (byte)'\n' or (byte)'\r' or (byte)'\t' || (c >= 0x20 && c < 0x7F)))
        {
            try
            {
                return (DsaProperties.Workload(property, true, canary), DsaOpText.Instance.ParseLines(text));
            }
            catch (MalformedInputException)
            {
                // printable bytes that are not op lines: a raw fuzz input after all
            }
        }
        DsaCodec.Decoded raw = DsaCodec.Decode(bytes, FuzzTargetConfig.DefaultOpsMax, true, DsaProperties.ParseCanary(canary).Dsa);
        return (raw.Workload, raw.Ops);
    }
}
