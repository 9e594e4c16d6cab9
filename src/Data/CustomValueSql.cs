using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;

namespace CommerceManager.Data;

/// <summary>How a custom field's values compare and sort: as text (strings, ISO dates), numbers or booleans.</summary>
public enum CustomValueKind { Text, Number, Flag }

/// <summary>
/// One custom field's value inside a JSON document column (custom-field values keyed by field id), for LINQ filters and
/// sorts. Each provider translates them to an expression its per-field index is built on (see
/// <see cref="SqlDialect.EnsureCustomValueIndexAsync"/>), so <c>eq(slug,…)</c> and <c>sort=slug</c> are index seeks.
/// The key must be a constant in the expression tree (not a captured variable), so it is inlined like the index's.
/// </summary>
public static class CustomValueSql
{
    public static string? Text(string? document, string key) => throw new InvalidOperationException("Only for database queries.");

    // EF requires non-nullable value types here; the SQL may still be NULL, so callers convert to double? / bool?.
    public static double Number(string? document, string key) => throw new InvalidOperationException("Only for database queries.");

    public static bool Flag(string? document, string key) => throw new InvalidOperationException("Only for database queries.");

    public static MethodInfo MethodFor(CustomValueKind kind) => typeof(CustomValueSql).GetMethod(kind.ToString())!;

    /// <summary>SQLite: <c>json_extract(doc, '$."key"')</c> gives the stored SQL value (text, integer/real, 1/0) for every kind.</summary>
    internal static void MapForSqlite(ModelBuilder builder)
    {
        foreach (var kind in Enum.GetValues<CustomValueKind>())
        {
            var method = MethodFor(kind);
            builder.HasDbFunction(method).HasTranslation(args => new SqlFunctionExpression(
                "json_extract",
                [args[0], new SqlConstantExpression(SqlitePath(KeyOf(args[1])), typeof(string), args[1].TypeMapping)],
                nullable: true,
                argumentsPropagateNullability: [true, false],
                method.ReturnType,
                typeMapping: null));
        }
    }

    /// <summary>PostgreSQL: the immutable SQL functions <c>cm_text</c>, <c>cm_number</c>, <c>cm_flag</c> (a migration creates them).</summary>
    internal static void MapForPostgres(ModelBuilder builder)
    {
        foreach (var kind in Enum.GetValues<CustomValueKind>())
        {
            builder.HasDbFunction(MethodFor(kind)).HasName(PostgresFunction(kind)).HasSchema(null);
        }
    }

    public static string SqlitePath(string key) => $"$.\"{key}\"";

    public static string PostgresFunction(CustomValueKind kind) => "cm_" + kind.ToString().ToLowerInvariant();

    /// <summary>
    /// The field's index: (value, CreatedAt, Id), so an equality filter in the default newest-first order is one
    /// ordered range of the index and its count never touches the table.
    /// </summary>
    public static string IndexName(string table, Guid fieldId) => $"IX_{table}_cfv_{fieldId:N}";

    /// <summary>The earlier (value, Id) index, dropped when the new one is made.</summary>
    public static string LegacyIndexName(string table, Guid fieldId) => $"IX_{table}_cf_{fieldId:N}";

    private static string KeyOf(SqlExpression key) => key is SqlConstantExpression { Value: string value }
        ? value
        : throw new InvalidOperationException("A custom field's key must be a constant in the query, so the field's index can serve it.");
}
