// Sarif: findings as a SARIF 2.1.0 log (the format code-scanning views read). One rule per outcome
// kind; one result per unique signature, located at its repro artifact, with the signature as the
// partial fingerprint (so the same finding in the next run is the same alert), and the repro
// command, run count and known/new status as properties.
using System.Text.Json.Nodes;

namespace Harness.Report;

public static class Sarif
{
    public sealed record Result(string Signature, string Kind, string Message, string? Artifact, string? Repro, int Count, string? Status);

    public static JsonObject Build(IReadOnlyList<Result> results, string toolVersion)
    {
        var rules = new JsonArray();
        foreach (string kind in results.Select(r => r.Kind).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            rules.Add(new JsonObject
            {
                ["id"] = kind,
                ["shortDescription"] = new JsonObject { ["text"] = $"harness outcome '{kind}'" },
            });
        var items = new JsonArray();
        foreach (Result r in results)
        {
            var item = new JsonObject
            {
                ["ruleId"] = r.Kind,
                ["level"] = r.Status is null ? "error" : "note",
                ["message"] = new JsonObject { ["text"] = $"{r.Signature}: {r.Message}" },
                ["partialFingerprints"] = new JsonObject { ["harnessSignature/v1"] = r.Signature },
                ["properties"] = new JsonObject
                {
                    ["repro"] = r.Repro,
                    ["runs"] = r.Count,
                    ["status"] = r.Status ?? "new",
                },
            };
            if (r.Artifact is not null)
                item["locations"] = new JsonArray(new JsonObject
                {
                    ["physicalLocation"] = new JsonObject
                    {
                        ["artifactLocation"] = new JsonObject { ["uri"] = r.Artifact.Replace('\\', '/') },
                    },
                });
            items.Add(item);
        }
        return new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "pgmem-harness",
                        ["version"] = toolVersion,
                        ["rules"] = rules,
                    },
                },
                ["results"] = items,
            }),
        };
    }
}
