// ProbeStrip (tools/probestrip), the build step after SharpFuzz: the instrumented copy the build
// wrote has no probes left in the oracle's [ExcludeFromCodeCoverage] methods and all of them in the
// port's own, and stripping a method is exact (PS1-PS4) on real SharpFuzz output: the method keeps
// every instruction of its own, in order, and every branch still lands on one of them.
using Harness.Fuzz.Instrumentation;
using Mono.Cecil;
using Mono.Cecil.Cil;
using ProbeStrip;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class ProbeStripTests
{
    private static ModuleDefinition ReadBuiltCopy() =>
        ModuleDefinition.ReadModule(new MemoryStream(File.ReadAllBytes(InstrumentedFolder.BuiltCopy(AppContext.BaseDirectory))));

    private static ModuleDefinition ReadOriginal() =>
        ModuleDefinition.ReadModule(new MemoryStream(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Allocator.dll"))));

    private static int Probes(MethodDefinition m) =>
        Enumerable.Range(0, m.Body.Instructions.Count).Count(i => ProbeStripper.IsProbeAt(m.Body.Instructions, i));

    private static MethodDefinition Method(ModuleDefinition module, string type, string name) =>
        module.GetType(type).Methods.First(m => m.Name == name && m.HasBody);

    [Fact]
    public void Built_copy_has_no_probes_in_excluded_methods_and_keeps_them_elsewhere()
    {
        using ModuleDefinition copy = ReadBuiltCopy();
        var excluded = copy.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody && ProbeStripper.IsExcluded(m)).ToList();
        Assert.Contains(excluded, m => m.DeclaringType.FullName == "Allocator.Mmgr.AllocSet" && m.Name == "VerifyInto");
        Assert.All(excluded, m => Assert.True(Probes(m) == 0, $"{m.FullName} still has probes"));
        Assert.True(Probes(Method(copy, "Allocator.Mmgr.AllocSet", "AllocSetFree")) > 1);
        Assert.True(ProbeStripper.CountProbes(copy) > 1000);
        // stripping again finds nothing to do, and PS4 holds
        StripResult again = ProbeStripper.Strip(copy);
        Assert.Equal(0, again.ProbesRemoved);
    }

    [Fact]
    public void Stripping_a_probed_method_restores_exactly_its_own_instructions()
    {
        using ModuleDefinition copy = ReadBuiltCopy();
        using ModuleDefinition original = ReadOriginal();
        foreach ((string type, string name) in new[] { ("Allocator.Mmgr.AllocSet", "AllocSetFree"), ("Allocator.Mmgr.AllocSet", "AllocSetRealloc"), ("Allocator.Sim.SimHeap", "Free") })
        {
            MethodDefinition probed = Method(copy, type, name);
            int probes = Probes(probed);
            Assert.True(probes > 1, $"{type}.{name} has {probes} probes");
            int removed = ProbeStripper.StripMethod(probed);
            Assert.Equal(probes, removed);
            // SharpFuzz simplified and re-optimised the branches (short/long forms may differ), so
            // compare the instruction stream modulo branch form, and where every branch lands.
            MethodDefinition source = Method(original, type, name);
            Assert.Equal(Shape(source), Shape(probed));
        }
    }

    [Fact]
    public void A_method_marked_after_instrumentation_is_stripped_and_the_module_still_writes()
    {
        using ModuleDefinition copy = ReadBuiltCopy();
        MethodDefinition m = Method(copy, "Allocator.Mmgr.AllocSet", "AllocSetFree");
        int before = ProbeStripper.CountProbes(copy);
        int own = Probes(m);
        var ctor = copy.ImportReference(typeof(System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverageAttribute).GetConstructor(Type.EmptyTypes));
        m.CustomAttributes.Add(new CustomAttribute(ctor));
        StripResult r = ProbeStripper.Strip(copy);
        Assert.Equal(own, r.ProbesRemoved);
        Assert.Contains(m.FullName, r.Methods);
        Assert.Equal(before - own, ProbeStripper.CountProbes(copy));
        using var output = new MemoryStream();
        copy.Write(output);
        Assert.True(output.Length > 0);
    }

    [Fact]
    public void Compiler_generated_methods_follow_their_source_method()
    {
        using ModuleDefinition copy = ReadBuiltCopy();
        var generated = copy.GetTypes().SelectMany(t => t.Methods).Where(m => m.Name.StartsWith('<')).ToList();
        Assert.NotEmpty(generated);
        foreach (MethodDefinition g in generated)
        {
            string source = g.Name[1..g.Name.IndexOf('>')];
            bool sourceExcluded = g.DeclaringType.Methods.Concat(g.DeclaringType.DeclaringType?.Methods ?? [])
                .Any(m => m.Name == source && m.CustomAttributes.Any(a => a.AttributeType.FullName == ProbeStripper.ExcludeAttribute));
            if (sourceExcluded) Assert.True(ProbeStripper.IsExcluded(g), g.FullName);
        }
    }

    /// <summary>The method's instructions as text, branch forms normalised, branch operands as target indexes.</summary>
    private static List<string> Shape(MethodDefinition m)
    {
        var il = m.Body.Instructions;
        var index = il.Select((ins, i) => (ins, i)).ToDictionary(x => x.ins, x => x.i);
        return il.Select(ins => Normal(ins.OpCode) + " " + ins.Operand switch
        {
            Instruction t => "@" + index[t],
            Instruction[] ts => string.Join(",", ts.Select(t => "@" + index[t])),
            null => "",
            MemberReference r => r.FullName,
            object o => o.ToString(),
        }).ToList();
    }

    private static string Normal(OpCode op) => op.Name.EndsWith(".s", StringComparison.Ordinal) ? op.Name[..^2] : op.Name;
}
