using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CommerceManager.Data;

/// <summary>
/// A compiled EF query (<c>EF.CompileAsyncQuery</c>) for a hot path, compiled once per model: a process can hold
/// several (both providers in the tests, two app instances), and a query compiled for one must not run on another.
/// </summary>
internal sealed class PerModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> compiled = new();

    public TQuery For(DbContext db) => compiled.GetValue(db.Model, _ => compile());
}
