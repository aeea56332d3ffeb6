// The campaign's report: report.md (tables a reviewer reads) and report.json (the same figures for
// a machine), both rebuilt from results.tsv after every mutant, in catalog order.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mutate;

public static class CampaignReport
{
    public static void Write(string outDir, IReadOnlyList<Mutant> selected, IReadOnlyList<MutantResult> results, string header, bool finished)
    {
        var byId = results.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var ordered = selected.Where(m => byId.ContainsKey(m.Id)).Select(m => (m, r: byId[m.Id])).ToList();
        var md = new StringBuilder();
        md.AppendLine("# Mutation campaign report").AppendLine();
        md.AppendLine(header);
        md.AppendLine($"{ordered.Count} of {selected.Count} selected mutants ran{(finished ? "" : " (campaign interrupted or still running: partial)")}.").AppendLine();

        var tested = ordered.Where(x => x.r.Status != Status.Stillborn).ToList();
        int kills = tested.Count(x => x.r.IsKill);
        int direct = tested.Count(x => DirectKill(x.r));
        md.AppendLine($"**Kill rate: {kills}/{tested.Count} ({Pct(kills, tested.Count)})** (stillborn mutants, which do not compile, are left out). "
            + $"Killed by a check of the mutated port itself, not only through a planted-bug canary that stopped being caught: {direct}/{tested.Count} ({Pct(direct, tested.Count)}).").AppendLine();

        md.AppendLine("## Per system").AppendLine();
        md.AppendLine("| system | mutants | killed | of which only via a canary | of which hang | survived | stillborn | kill rate | median time to kill (s) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in ordered.GroupBy(x => x.m.System).OrderBy(g => g.Key, StringComparer.Ordinal).Append(null))
        {
            var rows = g is null ? ordered : g.ToList();
            var t = rows.Where(x => x.r.Status != Status.Stillborn).ToList();
            int k = t.Count(x => x.r.IsKill);
            var ttk = t.Where(x => x.r.SecondsToKill is not null).Select(x => x.r.SecondsToKill!.Value).Order().ToList();
            md.AppendLine($"| {(g is null ? "**all**" : g.Key)} | {rows.Count} | {k} | {t.Count(x => x.r.IsKill && !DirectKill(x.r))} | {t.Count(x => x.r.Status == Status.Hang)} | {t.Count(x => x.r.Status == Status.Survived)} | {rows.Count(x => x.r.Status == Status.Stillborn)} | {Pct(k, t.Count)} | {(ttk.Count == 0 ? "-" : F(ttk[ttk.Count / 2]))} |");
        }
        md.AppendLine();

        md.AppendLine("## Per engine").AppendLine();
        md.AppendLine("A mutant counts for every engine with at least one failing gate case; *alone* counts the mutants no other engine killed.").AppendLine();
        md.AppendLine("| engine | mutants killed | alone | share of tested |");
        md.AppendLine("|---|---:|---:|---:|");
        var engines = tested.SelectMany(x => x.r.Engines).Distinct().Order(StringComparer.Ordinal);
        foreach (string e in engines)
        {
            int n = tested.Count(x => x.r.Engines.Contains(e));
            int alone = tested.Count(x => x.r.Engines.Count == 1 && x.r.Engines[0] == e);
            md.AppendLine($"| {e} | {n} | {alone} | {Pct(n, tested.Count)} |");
        }
        md.AppendLine();

        md.AppendLine("## Per oracle").AppendLine();
        md.AppendLine("The outcome kind and site a failing case names (`invariant-failed:AS6` is walker invariant AS6; `canary-lost` is a planted bug no longer caught).").AppendLine();
        md.AppendLine("| oracle | mutants | first to fire |");
        md.AppendLine("|---|---:|---:|");
        foreach (string o in tested.SelectMany(x => x.r.Oracles).Distinct().Order(StringComparer.Ordinal))
            md.AppendLine($"| `{o}` | {tested.Count(x => x.r.Oracles.Contains(o))} | {tested.Count(x => x.r.Oracles.Count > 0 && x.r.Oracles[0] == o)} |");
        md.AppendLine();

        md.AppendLine("## Every mutant").AppendLine();
        md.AppendLine("| id | system | status | first kill | time to kill (s) | build (s) | gate (s) |");
        md.AppendLine("|---|---|---|---|---:|---:|---:|");
        foreach (var (m, r) in ordered)
            md.AppendLine($"| {m.Id} | {m.System} | {r.Status} | {Esc(r.FirstKill)} | {(r.SecondsToKill is { } s ? F(s) : "-")} | {F(r.BuildSeconds)} | {F(r.GateSeconds)} |");
        md.AppendLine();
        var built = ordered.Where(x => x.r.BuildSeconds > 0).ToList();
        if (built.Count > 0)
            md.AppendLine($"Mean build {F(built.Average(x => x.r.BuildSeconds))} s, mean gate {F(built.Where(x => x.r.GateSeconds > 0).DefaultIfEmpty().Average(x => x.r?.GateSeconds ?? 0))} s per mutant.").AppendLine();

        md.AppendLine("## Survivors").AppendLine();
        var survivors = ordered.Where(x => x.r.Status == Status.Survived).ToList();
        if (survivors.Count == 0) md.AppendLine("None.");
        foreach (var (m, _) in survivors)
            md.AppendLine($"- **{m.Id}** ({m.File}): {m.Why}  \n  why it survives: {m.Survives ?? "not yet explained"}");
        var still = ordered.Where(x => x.r.Status == Status.Stillborn).ToList();
        if (still.Count > 0)
        {
            md.AppendLine().AppendLine("## Stillborn (do not compile; fix the catalog entry)").AppendLine();
            foreach (var (m, r) in still) md.AppendLine($"- **{m.Id}**: {Esc(r.Detail)}");
        }
        File.WriteAllText(Path.Combine(outDir, "report.md"), md.ToString());

        var json = new
        {
            finished,
            selected = selected.Count,
            ran = ordered.Count,
            killed = kills,
            killed_directly = direct,
            tested = tested.Count,
            mutants = ordered.Select(x => new
            {
                id = x.m.Id, system = x.m.System, file = x.m.File, why = x.m.Why, status = x.r.Status,
                build_s = x.r.BuildSeconds, gate_s = x.r.GateSeconds, time_to_kill_s = x.r.SecondsToKill,
                engines = x.r.Engines, oracles = x.r.Oracles, first_kill = x.r.FirstKill, detail = x.r.Detail, survives = x.m.Survives,
            }),
        };
        File.WriteAllText(Path.Combine(outDir, "report.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>A kill by a check of the mutated port (a property, a scenario, a fuzz finding, a
    /// replay, a hang), as opposed to one only through a canary that stopped being caught.</summary>
    public static bool DirectKill(MutantResult r) => r.IsKill && r.Engines.Any(e => !e.Contains("canary", StringComparison.Ordinal));

    private static string Pct(int a, int b) => b == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * a / b:0}%");
    private static string F(double d) => d.ToString("0.0", CultureInfo.InvariantCulture);
    private static string Esc(string s) => s.Replace("|", "\\|");
}
