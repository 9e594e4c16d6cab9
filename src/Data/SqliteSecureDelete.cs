using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CommerceManager.Data;

/// <summary>
/// Turns on SQLite's <c>secure_delete</c> once for each database connection the pool opens: deleted and replaced
/// content is overwritten with zeros instead of lingering in the file's free space, so an erased customer's name and
/// email are gone from the file itself, not only from the tables (the cost is a little extra writing on deletes).
/// </summary>
internal sealed class SqliteSecureDelete : DbConnectionInterceptor
{
    public static readonly SqliteSecureDelete Instance = new();

    // The pool hands the same native connection to many SqliteConnection objects: set the pragma once per native one.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> done = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } sqlite || done.TryGetValue(handle, out _))
        {
            return;
        }
        using var command = sqlite.CreateCommand();
        command.CommandText = "PRAGMA secure_delete=ON;";
        command.ExecuteNonQuery();
        done.AddOrUpdate(handle, handle);
    }
}
