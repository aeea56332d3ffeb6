// ProbeEmitter: the IL of one probe. Every form is stack neutral (valid at join points with values
// on the stack and at handler entries, where the exception object is on the stack).
//
// Inline single-thread (default), CoverageMap.Hit's body spelled out, 19 instructions, peak stack +4:
//   ldsfld MapBase; ldc.i4 id; ldsfld PreviousLocation; xor; ldc.i4 0xFFFF; and; add   // &map[edge]
//   dup; ldind.u1; ldc.i4.1; add; dup; ldc.i4.8; shr; sub; stind.i1                  // saturating ++
//   ldc.i4 id>>1; stsfld PreviousLocation
// Inline because a call per block, even to an AggressiveInlining method, runs the JIT out of its
// inlining budget in big methods and leaves real calls behind (measured: 6.8x slowdown vs 3x).
//
// Inline per-thread (InstrumentOptions.PerThreadMaps), CoverageMap.HitPerThread's body: the state
// is the [ThreadStatic] ProbeState (thread's slice offset | prev). A thread-static access costs a TLS
// lookup, so the method's prologue takes ProbeState's address once into a byref local `st` (a method
// never changes thread while it runs) and the probes go through it, 23 instructions, peak stack +4:
//   prologue, before the entry probe:  ldsflda ProbeState; stloc st
//   ldloc st; ldind.i4; ldc.i4 id&0xFFFF; xor; ldsfld MapBase; add                  // &map[slice|edge]
//   dup; ldind.u1; ldc.i4.1; add; dup; ldc.i4.8; shr; sub; stind.i1                  // saturating ++
//   ldloc st; ldloc st; ldind.i4; ldc.i4 ~0xFFFF; and; ldc.i4 (id>>1)&0xFFFF; or; stind.i4  // prev
// Measured ~20% slower than single-thread, because the JIT does not inline a method that touches a
// thread static (hot AggressiveInlining helpers such as SimMemory.At stop being inlined). Tried and
// slower: ldsfld/stsfld of thread statics in every probe (-20..25%); a non-inlined call returning
// the address in every prologue (-29%); that call only in AggressiveInlining methods (-25%). So it
// is only built for parallel engine workers.
//
// Call (tests, tracing): ldc.i4 id; call <ProbeMethod>.
using Harness.Coverage;
using Mono.Cecil.Cil;
using Mono.Cecil;

namespace Harness.Fuzz.Instrumentation;

internal sealed class ProbeEmitter
{
    private readonly MethodReference? _call;
    private readonly FieldReference _map;
    private readonly FieldReference _prev;
    private readonly FieldReference? _state;
    private readonly TypeReference? _stateRef;
    private VariableDefinition? _st;

    public ProbeEmitter(ModuleDefinition module, System.Reflection.MethodInfo? probeMethod, bool perThread = false)
    {
        _call = probeMethod is null ? null : module.ImportReference(probeMethod);
        _map = module.ImportReference(typeof(CoverageMap).GetField(nameof(CoverageMap.MapBase))!);
        _prev = module.ImportReference(typeof(CoverageMap).GetField(nameof(CoverageMap.PreviousLocation))!);
        if (!perThread || _call is not null) return;
        _state = module.ImportReference(typeof(CoverageMap).GetField(nameof(CoverageMap.ProbeState))!);
        _stateRef = new ByReferenceType(module.TypeSystem.Int32);
    }

    /// <summary>Starts a method: appends the prologue its probes need (only per-thread probes have one).</summary>
    public void BeginMethod(MethodBody body, List<Instruction> into)
    {
        _st = null;
        if (_state is null) return;
        _st = new VariableDefinition(_stateRef);
        body.Variables.Add(_st);
        into.Add(Instruction.Create(OpCodes.Ldsflda, _state));
        into.Add(Instruction.Create(OpCodes.Stloc, _st));
    }

    /// <summary>Appends the probe for <paramref name="id"/> and returns its first instruction.</summary>
    public Instruction Emit(int id, List<Instruction> into)
    {
        int start = into.Count;
        if (_call is not null)
        {
            into.Add(Instruction.Create(OpCodes.Ldc_I4, id));
            into.Add(Instruction.Create(OpCodes.Call, _call));
            return into[start];
        }
        if (_state is not null)
        {
            EmitPerThread(id, into);
            return into[start];
        }
        into.Add(Instruction.Create(OpCodes.Ldsfld, _map));
        into.Add(Instruction.Create(OpCodes.Ldc_I4, id));
        into.Add(Instruction.Create(OpCodes.Ldsfld, _prev));
        into.Add(Instruction.Create(OpCodes.Xor));
        into.Add(Instruction.Create(OpCodes.Ldc_I4, CoverageMap.MapMask));
        into.Add(Instruction.Create(OpCodes.And));
        into.Add(Instruction.Create(OpCodes.Add));
        EmitSaturatingIncrement(into);
        into.Add(Instruction.Create(OpCodes.Ldc_I4, id >> 1));
        into.Add(Instruction.Create(OpCodes.Stsfld, _prev));
        return into[start];
    }

    private void EmitPerThread(int id, List<Instruction> into)
    {
        VariableDefinition st = _st ?? throw new InvalidOperationException("BeginMethod was not called");
        into.Add(Instruction.Create(OpCodes.Ldloc, st));
        into.Add(Instruction.Create(OpCodes.Ldind_I4));
        into.Add(Instruction.Create(OpCodes.Ldc_I4, id & CoverageMap.MapMask));
        into.Add(Instruction.Create(OpCodes.Xor));
        into.Add(Instruction.Create(OpCodes.Ldsfld, _map));
        into.Add(Instruction.Create(OpCodes.Add));
        EmitSaturatingIncrement(into);
        into.Add(Instruction.Create(OpCodes.Ldloc, st));
        into.Add(Instruction.Create(OpCodes.Ldloc, st));
        into.Add(Instruction.Create(OpCodes.Ldind_I4));
        into.Add(Instruction.Create(OpCodes.Ldc_I4, ~CoverageMap.MapMask));
        into.Add(Instruction.Create(OpCodes.And));
        into.Add(Instruction.Create(OpCodes.Ldc_I4, (id >> 1) & CoverageMap.MapMask));
        into.Add(Instruction.Create(OpCodes.Or));
        into.Add(Instruction.Create(OpCodes.Stind_I4));
    }

    // [cell address] -> []: *cell = saturating(*cell + 1).
    private static void EmitSaturatingIncrement(List<Instruction> into)
    {
        into.Add(Instruction.Create(OpCodes.Dup));
        into.Add(Instruction.Create(OpCodes.Ldind_U1));
        into.Add(Instruction.Create(OpCodes.Ldc_I4_1));
        into.Add(Instruction.Create(OpCodes.Add));
        into.Add(Instruction.Create(OpCodes.Dup));
        into.Add(Instruction.Create(OpCodes.Ldc_I4_8));
        into.Add(Instruction.Create(OpCodes.Shr));
        into.Add(Instruction.Create(OpCodes.Sub));
        into.Add(Instruction.Create(OpCodes.Stind_I1));
    }
}
