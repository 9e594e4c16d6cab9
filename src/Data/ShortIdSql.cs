using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;

namespace CommerceManager.Data;

/// <summary>
/// The short number people read off a screen or an email (<c>#6B310869</c>: the id's last eight hex digits, upper
/// case) as SQL, so a lookup by it is a seek in an expression index (migration <c>OrderShortIdIndex</c>) rather than
/// a scan. SQLite keeps GUIDs as upper-case text: <c>substr("Id", -8)</c>; PostgreSQL has the immutable function
/// <c>cm_short_id(uuid)</c>.
/// </summary>
public static class ShortIdSql
{
    public static string ShortId(Guid id) => throw new InvalidOperationException("Only for database queries.");

    /// <summary>The short form in C#: the same eight characters the SQL yields.</summary>
    public static string Of(Guid id) => id.ToString("N")[^8..].ToUpperInvariant();

    internal static void MapForSqlite(ModelBuilder builder) =>
        builder.HasDbFunction(typeof(ShortIdSql).GetMethod(nameof(ShortId))!).HasTranslation(args => new SqlFunctionExpression(
            "substr",
            [args[0], new SqlConstantExpression(-8, typeof(int), new Microsoft.EntityFrameworkCore.Storage.IntTypeMapping("INTEGER"))],
            nullable: true,
            argumentsPropagateNullability: [true, false],
            typeof(string),
            typeMapping: null));

    internal static void MapForPostgres(ModelBuilder builder) =>
        builder.HasDbFunction(typeof(ShortIdSql).GetMethod(nameof(ShortId))!).HasName("cm_short_id").HasSchema(null);
}
