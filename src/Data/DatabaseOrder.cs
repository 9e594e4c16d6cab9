namespace CommerceManager.Data;

/// <summary>Orderings the database applies, for the rare list sorted in memory and paged like the database would.</summary>
public static class DatabaseOrder
{
    /// <summary>
    /// Ids in the order the database sorts them: SQLite compares the stored text, PostgreSQL the uuid's bytes, and both
    /// agree with an ordinal comparison of the hex digits (unlike <see cref="Guid.CompareTo(Guid)"/>).
    /// </summary>
    public static readonly IComparer<Guid> Guid = Comparer<Guid>.Create((a, b) =>
        string.CompareOrdinal(a.ToString("N"), b.ToString("N")));
}
