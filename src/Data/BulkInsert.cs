using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CommerceManager.Data;

/// <summary>
/// New entities written through the provider's bulk path (<see cref="SqlDialect.OpenBulkWriter"/>: one prepared insert
/// on SQLite, binary COPY on PostgreSQL) instead of one tracked insert each: for jobs that write many rows of several
/// tables at once. Columns and values come from the EF model (owned parts such as an address's postal fields included,
/// value converters applied), so a new column needs no change here. It writes in the context's current transaction and
/// bypasses the change tracker, so the history recorder does not see these rows: the caller records what it wrote
/// (<c>db.RecordChange</c>) in the same transaction.
/// </summary>
public static class BulkInsert
{
    public static async Task BulkInsertAsync<T>(this AppDbContext db, SqlDialect dialect, IReadOnlyCollection<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A bulk insert runs in the caller's transaction: begin one first.");
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity of the model.");
        var columns = Columns(type);
        await using var writer = dialect.OpenBulkWriter(db.Database.GetDbConnection(), transaction, type.GetTableName()!, columns.Select(c => c.Name).ToList());
        foreach (var row in rows)
        {
            // A new array a row: a writer may keep rows until it completes (PostgreSQL's COPY buffers them).
            var values = new object?[columns.Count];
            for (var i = 0; i < columns.Count; i++)
            {
                values[i] = columns[i].Read(row) is { } value ? dialect.StoredValue(value) : null;
            }
            await writer.RowAsync(ct, values);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>Every stored column of the entity's table, with how to read its provider value from an entity.</summary>
    private static List<(string Name, Func<object, object?> Read)> Columns(IEntityType type)
    {
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = new List<(string, Func<object, object?>)>();
        foreach (var property in type.GetProperties().Where(p => Stored(p)))
        {
            var get = property.GetGetter();
            columns.Add((property.GetColumnName(table)!, entity => Provider(property, get.GetClrValue(entity))));
        }
        foreach (var navigation in type.GetNavigations().Where(n => n.ForeignKey.IsOwnership && n.TargetEntityType.IsOwned()))
        {
            var part = navigation.GetGetter();
            // The owned part's key is the owner's key: the same column, written once.
            foreach (var property in navigation.TargetEntityType.GetProperties().Where(p => !p.IsPrimaryKey() && Stored(p)))
            {
                var get = property.GetGetter();
                columns.Add((property.GetColumnName(table)!, entity => part.GetClrValue(entity) is { } owned ? Provider(property, get.GetClrValue(owned)) : null));
            }
        }
        return columns;
    }

    private static bool Stored(IProperty property) =>
        property.GetComputedColumnSql() is null && property.PropertyInfo is not null && !(property.ValueGenerated != ValueGenerated.Never && property.IsKey() && property.ClrType != typeof(Guid));

    private static object? Provider(IProperty property, object? value) =>
        value is null ? null : property.GetTypeMapping().Converter is { } converter ? converter.ConvertToProvider(value) : value;
}
