using Bogus;
using CommerceManager.Customers;
using Microsoft.Data.Sqlite;

namespace CommerceManager.Seeding;

/// <summary>
/// Realistic customers for demo data and for the large-scale seed (names and emails from Bogus, created over
/// the last three years), written with one prepared statement in large transactions: about a minute per million.
/// </summary>
public sealed class CustomerGenerator(int seed)
{
    private readonly Faker faker = new("en") { Random = new Randomizer(seed) };

    public Customer Next(int index, DateTime now, string? passwordHash)
    {
        var first = faker.Name.FirstName();
        var last = faker.Name.LastName();
        var created = now.AddMinutes(-faker.Random.Int(1, 3 * 365 * 24 * 60));
        var updated = faker.Random.Bool(0.3f) ? created.AddMinutes(faker.Random.Int(1, (int)Math.Max(1, (now - created).TotalMinutes))) : created;
        var customer = new Customer
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(created)),
            // The index keeps emails unique however many customers share a name.
            ExternalRef = faker.Random.Bool(0.25f) ? $"crm-{100000 + index}" : null,
            PasswordHash = faker.Random.Bool(0.6f) ? passwordHash : null,
            CreatedAt = created,
            UpdatedAt = updated,
            Version = Guid.NewGuid(),
        };
        customer.SetName($"{first} {last}");
        var local = faker.Random.Int(0, 3) switch
        {
            0 => $"{first}.{last}",
            1 => $"{first[0]}{last}",
            2 => $"{first}{last[0]}",
            _ => $"{last}.{first}",
        };
        customer.SetEmail($"{Slug(local)}{index}@{faker.PickRandom(Domains)}");
        return customer;
    }

    private static readonly string[] Domains =
        ["example.com", "example.org", "example.net", "mail.example.com", "shop.example", "inbox.example"];

    private static string Slug(string s) => new(s.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '.').ToArray());

    /// <summary>Inserts <paramref name="count"/> customers, numbering them from <paramref name="startIndex"/>.</summary>
    public async Task<int> InsertAsync(SqliteConnection connection, int count, int startIndex, string? passwordHash,
        Action<int>? progress = null, CancellationToken ct = default)
    {
        const int batch = 50_000;
        var now = DateTime.UtcNow;
        var inserted = 0;
        while (inserted < count)
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO Customers (Id, Name, NormalizedName, Email, NormalizedEmail, PasswordHash, ExternalRef, CreatedAt, UpdatedAt, Version)
                VALUES ($id, $name, $nname, $email, $nemail, $hash, $ref, $created, $updated, $version)
                """;
            var p = new[] { "$id", "$name", "$nname", "$email", "$nemail", "$hash", "$ref", "$created", "$updated", "$version" }
                .Select(n => cmd.Parameters.Add(new SqliteParameter(n, null))).ToArray();
            cmd.Prepare();
            var n = Math.Min(batch, count - inserted);
            for (var i = 0; i < n; i++)
            {
                var c = Next(startIndex + inserted + i, now, passwordHash);
                p[0].Value = c.Id.ToString().ToUpperInvariant();
                p[1].Value = c.Name;
                p[2].Value = c.NormalizedName;
                p[3].Value = c.Email;
                p[4].Value = c.NormalizedEmail;
                p[5].Value = (object?)c.PasswordHash ?? DBNull.Value;
                p[6].Value = (object?)c.ExternalRef ?? DBNull.Value;
                p[7].Value = Timestamp(c.CreatedAt);
                p[8].Value = Timestamp(c.UpdatedAt);
                p[9].Value = c.Version.ToString().ToUpperInvariant();
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            inserted += n;
            progress?.Invoke(inserted);
        }
        return inserted;
    }

    /// <summary>The text form EF Core's SQLite provider stores DateTime in, so seeded rows sort and compare alike.</summary>
    public static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);
}
