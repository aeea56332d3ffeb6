// Mcxt.Callbacks: reset/delete callbacks (mcxt.c MemoryContextRegisterResetCallback,
// MemoryContextUnregisterResetCallback, MemoryContextCallResetCallbacks; pg-mmgr-dsa.md 1.6.1).
//
// A MemoryContextCallback is a 24-byte record {func, arg, next} in simulated memory, owned by the
// caller (usually palloc'd in the context). `func` is a function address: C# delegates are
// registered once per process with RegisterCallbackFunction and get fake code addresses in an
// unmapped range below static data, so a corrupted or never-registered func is a call through a
// wild pointer and becomes a SimFault, as it would crash PostgreSQL.
//
// Order: callbacks are popped from the head before being called, so they run LIFO and a callback
// that throws is not called again by the next reset or delete.
using Allocator.Common;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    /// <summary>Address of the first registered callback function; later ones follow at CallbackFunctionStride.</summary>
    public const ulong CallbackFunctionBase = 0x0010_0000;
    /// <summary>Distance between two fake function addresses (16, a plausible function alignment).</summary>
    public const ulong CallbackFunctionStride = 16;

    private readonly List<Action<ulong>> _callbackFunctions = new();

    /// <summary>Registers a callback function and returns its (fake, stable, nonzero) code address:
    /// the n-th registration of this process gets CallbackFunctionBase + n * 16.</summary>
    public ulong RegisterCallbackFunction(Action<ulong> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        _callbackFunctions.Add(func);
        return CallbackFunctionBase + (ulong)(_callbackFunctions.Count - 1) * CallbackFunctionStride;
    }

    /// <summary>True if <paramref name="address"/> is a registered function address.</summary>
    public bool IsCallbackFunction(ulong address)
    {
        ulong off = address - CallbackFunctionBase;
        return off % CallbackFunctionStride == 0 && off / CallbackFunctionStride < (ulong)_callbackFunctions.Count;
    }

    /// <summary>Calls the function at a fake code address with one argument; an address that is no
    /// registered function is a fault (a jump to a wild pointer).</summary>
    public void CallFunction(ulong address, ulong arg)
    {
        if (!IsCallbackFunction(address))
            throw new SimFaultException(address, 1, SimAccess.Read, $"call through invalid function pointer 0x{address:x}");
        _callbackFunctions[(int)((address - CallbackFunctionBase) / CallbackFunctionStride)](arg);
    }

    /// <summary>Writes a callback record {func, arg, next = NULL} at <paramref name="record"/>
    /// (a convenience for callers; the record is plain memory).</summary>
    public void InitCallbackRecord(ulong record, ulong func, ulong arg)
    {
        Memory.WriteU64(record + OffCallbackFunc, func);
        Memory.WriteU64(record + OffCallbackArg, arg);
        Memory.WriteU64(record + OffCallbackNext, 0);
    }

    /// <summary>MemoryContextRegisterResetCallback: push at the head and mark the context not reset,
    /// so the next reset really runs.</summary>
    public void MemoryContextRegisterResetCallback(ulong context, ulong callbackRecord)
    {
        AssertValid(context);
        Memory.WriteU64(callbackRecord + OffCallbackNext, GetResetCbs(context));
        Memory.WriteU64(context + OffResetCbs, callbackRecord);
        SetIsReset(context, false);
    }

    /// <summary>MemoryContextUnregisterResetCallback: unlink the record; an unknown record is an
    /// assertion failure.</summary>
    public void MemoryContextUnregisterResetCallback(ulong context, ulong callbackRecord)
    {
        AssertValid(context);
        ulong prev = 0;
        for (ulong cur = GetResetCbs(context); cur != 0; prev = cur, cur = Memory.ReadU64(cur + OffCallbackNext))
        {
            if (cur != callbackRecord) continue;
            ulong next = Memory.ReadU64(cur + OffCallbackNext);
            if (prev != 0) Memory.WriteU64(prev + OffCallbackNext, next);
            else Memory.WriteU64(context + OffResetCbs, next);
            return;
        }
        Pg.Assert(false, "false /* callback not registered */");
    }

    /// <summary>MemoryContextCallResetCallbacks: pop, then call, until the list is empty.</summary>
    private void MemoryContextCallResetCallbacks(ulong context)
    {
        ulong cb;
        while ((cb = GetResetCbs(context)) != 0)
        {
            Memory.WriteU64(context + OffResetCbs, Memory.ReadU64(cb + OffCallbackNext));
            CallFunction(Memory.ReadU64(cb + OffCallbackFunc), Memory.ReadU64(cb + OffCallbackArg));
        }
    }
}
