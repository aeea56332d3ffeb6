// `harness instrument IN.dll OUT.dll`: writes an IL-coverage-instrumented copy of an assembly
// (plus its pdb and OUT.dll.coverage.tsv manifest). The fuzzing commands do this on their own via
// InstrumentedLauncher; this command is for inspection, measurement and other assemblies.
using System.Diagnostics;
using Harness.Core;
using Harness.Fuzz.Instrumentation;

namespace Harness.Cli;

public sealed class InstrumentCommand : IHarnessCommand
{
    public string Name => "instrument";
    public string Summary => "write an IL-coverage-instrumented copy of an assembly (+ pdb, manifest)";
    public string Usage =>
        "usage: harness instrument IN.dll OUT.dll [--reserve MANIFEST.tsv] [--include PREFIX]\n" +
        "  --reserve   avoid the ids of another instrumented assembly's manifest\n" +
        "  --include   instrument only types whose full name starts with PREFIX";

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? reserve = args.String("reserve");
        string? include = args.String("include");
        args.RejectUnknown();
        if (args.Positional.Count != 2) throw new UsageException("give the input and the output assembly");
        string input = args.Positional[0];
        string output = args.Positional[1];
        if (!File.Exists(input)) throw new InputException($"no such file: {input}");
        if (reserve is not null && !File.Exists(reserve)) throw new InputException($"no such manifest: {reserve}");
        if (IlInstrumenter.IsInstrumented(input)) throw new InputException($"{input} is already instrumented");
        var options = new InstrumentOptions
        {
            ReservedIds = reserve is null ? Array.Empty<int>() : CoverageManifest.ReadIds(reserve).ToArray(),
            IncludePrefixes = include is null ? Array.Empty<string>() : new[] { include },
        };
        var sw = WallClock.StartNew();
        InstrumentResult r = IlInstrumenter.Instrument(input, output, options);
        sw.Stop();
        int distinctLow = r.Sites.Select(s => s.Id & 0xFFFF).Distinct().Count();
        stdout.WriteLine($"instrumented {input} -> {r.OutputPath} in {sw.ElapsedMilliseconds} ms");
        stdout.WriteLine($"  methods {r.Methods}, IL instructions {r.Instructions}, probes {r.Probes} ({distinctLow} distinct low-16 ids)");
        stdout.WriteLine($"  pdb {(r.PdbPath ?? "(input had none)")}, manifest {r.ManifestPath}");
        return Program.ExitOk;
    }
}
