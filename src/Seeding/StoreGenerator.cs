using CommerceManager.Common;
using Bogus;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Orders;
using System.Data.Common;
using CommerceManager.Data;

namespace CommerceManager.Seeding;

public sealed record StoreShape(int Customers, double AddressesPerCustomer = 2, double OrdersPerCustomer = 3, double GuestOrderShare = 0.1);

public sealed record SeedCounts(int Customers, int Addresses, int Orders, int OrderItems);

/// <summary>
/// A realistic store for demo data and the large-scale seed: customers (Bogus names, unique emails, created over
/// three years), 0–4 addresses each, orders with 1–3 custom items (most linked to their customer, some guest
/// orders), statuses that age like real ones. Written in large transactions with the provider's bulk writer
/// (SQLite: prepared statements; PostgreSQL: binary COPY). The seed tool drops the secondary indexes first and builds
/// them after (docs/benchmarks.md has the seed's times).
/// </summary>
public sealed class StoreGenerator(SqlDialect dialect, int seed, string currency = "USD", TimeProvider? clock = null)
{
    private readonly Faker faker = new("en") { Random = new Randomizer(seed) };

    private static readonly string[] Domains =
        ["example.com", "example.org", "example.net", "mail.example.com", "shop.example", "inbox.example"];
    private static readonly string[] Labels = ["Home", "Work", "Office", "Neighbour", "Parents", "Holiday home", null!];
    private static readonly (string Country, string[] Regions)[] Places =
    [
        ("US", ["California", "New York", "Texas", "Washington", "Illinois"]),
        ("GB", ["England", "Scotland", "Wales"]),
        ("DE", ["Bavaria", "Berlin", "Hamburg"]),
        ("FR", ["Île-de-France", "Provence", "Brittany"]),
        ("CA", ["Ontario", "Quebec", "British Columbia"]),
        ("AU", ["New South Wales", "Victoria"]),
    ];
    private static readonly (string Name, string Sku, long Price)[] Catalogue =
    [
        ("Organic cotton T-shirt", "TSHIRT-ORG", 2500), ("Merino wool socks", "SOCKS-MER", 1800), ("Leather belt", "BELT-LTH", 4500),
        ("Canvas tote bag", "TOTE-CNV", 2200), ("Ceramic mug", "MUG-CER", 1400), ("Espresso beans 1kg", "BEANS-ESP", 3200),
        ("Running shoes", "SHOE-RUN", 11900), ("Rain jacket", "JACKET-RAIN", 15900), ("Wool beanie", "HAT-WOOL", 2900),
        ("Gift card", "GIFT-50", 5000), ("Notebook A5", "NOTE-A5", 900), ("Water bottle", "BOTTLE-STL", 2700),
    ];

    public async Task<SeedCounts> InsertAsync(DbConnection connection, StoreShape shape, int startIndex, string? passwordHash,
        Action<int>? progress = null, CancellationToken ct = default)
    {
        const int batch = 20_000;
        const int perTransaction = 5 * batch;
        var now = (clock ?? TimeProvider.System).UtcNow();
        var counts = new SeedCounts(0, 0, 0, 0);
        var done = 0;
        // The next batch is made up (Bogus, on another core) while this one is written: the two take about as long.
        Task<Batch> Make(int first, int n) => Task.Run(() => NextBatch(shape, startIndex + first, n, now, passwordHash), ct);
        var next = shape.Customers > 0 ? Make(0, Math.Min(batch, shape.Customers)) : null;
        DbTransaction? tx = null;
        try
        {
            while (next is not null)
            {
                var rows = await next;
                var n = rows.Customers.Count;
                next = done + n < shape.Customers ? Make(done + n, Math.Min(batch, shape.Customers - done - n)) : null;

                tx ??= await connection.BeginTransactionAsync(ct);
                // Parents before children: a buffering writer must not reach the database ahead of the rows it points at.
                foreach (var (table, columns, values) in new (string, string[], List<object?[]>)[]
                         {
                             ("Customers", CustomerColumns, rows.Customers), ("Addresses", AddressTableColumns, rows.Addresses),
                             ("Orders", OrderColumns, rows.Orders), ("OrderItems", ItemColumns, rows.Items), ("OrderEvents", EventColumns, rows.Events),
                         })
                {
                    await using var writer = dialect.OpenBulkWriter(connection, tx, table, columns);
                    foreach (var row in values)
                    {
                        await writer.RowAsync(ct, row);
                    }
                    await writer.CompleteAsync(ct);
                }
                done += n;
                counts = new SeedCounts(done, counts.Addresses + rows.Addresses.Count, counts.Orders + rows.Orders.Count, counts.OrderItems + rows.Items.Count);
                // Few large commits: customers and addresses land all over their id and email indexes, so each commit
                // writes out most of those indexes' pages again however few rows it adds.
                if (done % perTransaction == 0 || next is null)
                {
                    await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                    tx = null;
                }
                progress?.Invoke(done);
            }
        }
        finally
        {
            if (tx is not null)
            {
                await tx.DisposeAsync();
            }
        }
        return counts;
    }

    /// <summary>One transaction's rows, table by table, in the order of each table's columns.</summary>
    private sealed record Batch(List<object?[]> Customers, List<object?[]> Addresses, List<object?[]> Orders, List<object?[]> Items, List<object?[]> Events);

    private static readonly string[] CustomerColumns =
        ["Id", "Name", "NormalizedName", "Email", "NormalizedEmail", "EmailShared", "PasswordHash", "ExternalRef", "CreatedAt", "UpdatedAt", "Version",
            "AddressSearch"];

    private static readonly string[] AddressTableColumns =
    [
        "Id", "CustomerId", "Name", "FirstName", "LastName", "CompanyName", "Line1", "Line2", "City", "Region", "Postcode",
        "County", "Country", "PhoneNumber", "Instructions", "CreatedAt", "UpdatedAt", "Version",
    ];

    private static readonly string[] ItemColumns = ["Id", "OrderId", "Name", "Sku", "Quantity", "UnitPrice", "LineTotal"];

    private static readonly string[] EventColumns = ["Id", "OrderId", "At", "Field", "From", "To", "By"];

    private Batch NextBatch(StoreShape shape, int firstIndex, int n, DateTime now, string? passwordHash)
    {
        var rows = new Batch([], [], [], [], []);
        for (var i = 0; i < n; i++)
        {
            var c = NextCustomer(firstIndex + i, now, passwordHash);
            object?[] customerRow = [Id(c.Id), c.Name, c.NormalizedName, c.Email, c.NormalizedEmail, false, c.PasswordHash, c.ExternalRef,
                Ts(c.CreatedAt), Ts(c.UpdatedAt), Id(c.Version), ""];
            rows.Customers.Add(customerRow);
            // The customer's address text written with it, as the address triggers would make it: they find it there and write nothing.
            var addressSearch = new List<string>();

            var (first, last) = SplitName(c.Name);
            var place = faker.PickRandom(Places);
            var region = faker.PickRandom(place.Regions);
            var addressCount = faker.Random.Int(0, (int)Math.Round(shape.AddressesPerCustomer * 2));
            for (var a = 0; a < addressCount; a++)
            {
                var created = c.CreatedAt.AddDays(faker.Random.Double(0, Math.Max(0, (now - c.CreatedAt).TotalDays)));
                object?[] address = [Id(Guid.CreateVersion7(new DateTimeOffset(created))), Id(c.Id), a == 0 ? "Home" : faker.PickRandom(Labels),
                    a == 0 ? first : faker.Name.FirstName(), a == 0 ? last : faker.Name.LastName(),
                    faker.Random.Bool(0.15f) ? faker.Company.CompanyName() : null,
                    faker.Address.StreetAddress(), faker.Random.Bool(0.3f) ? faker.Address.SecondaryAddress() : null,
                    faker.Address.City(), region, faker.Address.ZipCode(), region, place.Country,
                    faker.Random.Bool(0.5f) ? faker.Phone.PhoneNumber("+1 ###-###-####") : null,
                    faker.Random.Bool(0.1f) ? "Leave with the neighbour if nobody is in." : null,
                    Ts(created), Ts(created), Id(Guid.NewGuid())];
                rows.Addresses.Add(address);
                addressSearch.Add(AddressSearchText.Of((string)address[6]!, (string)address[10]!, (string?)address[13]));
            }
            customerRow[^1] = string.Join(AddressSearchText.Separator, addressSearch);

            var orderCount = faker.Random.Int(0, (int)Math.Round(shape.OrdersPerCustomer * 2));
            for (var o = 0; o < orderCount; o++)
            {
                NextOrder(rows, c.Id, c.Name, c.Email, first, last, place.Country, region, c.CreatedAt, now);
            }
            if (faker.Random.Bool((float)shape.GuestOrderShare))
            {
                var guestFirst = faker.Name.FirstName();
                var guestLast = faker.Name.LastName();
                NextOrder(rows, null, $"{guestFirst} {guestLast}",
                    // Some guests use a registered customer's email: their orders must still stay unlinked.
                    faker.Random.Bool(0.2f) ? c.Email : $"{Slug(guestFirst)}.{Slug(guestLast)}{faker.Random.Int(1, 9999)}@guest.example",
                    guestFirst, guestLast, place.Country, region, now.AddYears(-3), now);
            }
        }
        return rows;
    }

    private void NextOrder(Batch rows, Guid? customerId, string name, string email, string first, string last, string country, string region,
        DateTime notBefore, DateTime now)
    {
        var created = notBefore.AddMinutes(faker.Random.Double(0, Math.Max(1, (now - notBefore).TotalMinutes)));
        var orderId = Guid.CreateVersion7(new DateTimeOffset(created));
        var ageDays = (now - created).TotalDays;
        var (status, payment, shipping) = ageDays switch
        {
            > 14 => faker.Random.Int(0, 19) switch
            {
                0 => (OrderStatus.Cancelled, PaymentStatus.Refunded, ShippingStatus.Unfulfilled),
                1 => (OrderStatus.Cancelled, PaymentStatus.Unpaid, ShippingStatus.Unfulfilled),
                _ => (OrderStatus.Complete, PaymentStatus.Paid, ShippingStatus.Fulfilled),
            },
            > 2 => faker.Random.Bool() ? (OrderStatus.Processing, PaymentStatus.Paid, ShippingStatus.Unfulfilled)
                : (OrderStatus.Complete, PaymentStatus.Paid, ShippingStatus.Fulfilled),
            _ => faker.Random.Bool() ? (OrderStatus.Incomplete, PaymentStatus.Unpaid, ShippingStatus.Unfulfilled)
                : (OrderStatus.Processing, PaymentStatus.Authorized, ShippingStatus.Unfulfilled),
        };
        var lines = faker.PickRandom(Catalogue, faker.Random.Int(1, 3)).Select(p => (Product: p, Quantity: faker.Random.Int(1, 3))).ToList();
        var total = lines.Sum(l => l.Product.Price * l.Quantity);
        var itemCount = lines.Sum(l => l.Quantity);
        var street = faker.Address.StreetAddress();
        var city = faker.Address.City();
        var postcode = faker.Address.ZipCode();
        object?[] address = [first, last, null, street, null, city, region, postcode, null, country, null, null];
        var updated = status == OrderStatus.Incomplete ? created : created.AddHours(faker.Random.Double(1, Math.Max(1, Math.Min(ageDays, 10) * 24)));
        rows.Orders.Add([Id(orderId), customerId is null ? null : Id(customerId.Value), name, email, Customer.FoldName(name),
            Customer.Normalize(email), status.ToString(), PaymentCodes.ToStored(payment), shipping.ToString(), currency, total, 0L, itemCount, null,
            payment == PaymentStatus.Paid ? total : 0L, payment == PaymentStatus.Authorized ? total : 0L, payment == PaymentStatus.Refunded ? total : 0L,
            .. address, .. address, Ts(created), Ts(updated), Id(Guid.NewGuid())]);
        foreach (var (product, quantity) in lines)
        {
            rows.Items.Add([Id(Guid.CreateVersion7(new DateTimeOffset(created))), Id(orderId), product.Name, product.Sku, quantity,
                product.Price, product.Price * quantity]);
        }
        rows.Events.Add([Id(Guid.CreateVersion7(new DateTimeOffset(created))), Id(orderId), Ts(created), "created", null, "incomplete",
            customerId is null ? $"guest checkout ({email})" : $"checkout by customer {email}"]);
    }

    private static readonly string[] AddressFields =
        ["FirstName", "LastName", "CompanyName", "Line1", "Line2", "City", "Region", "Postcode", "County", "Country", "PhoneNumber", "Instructions"];

    private static readonly string[] OrderColumns =
    [
        "Id", "CustomerId", "CustomerName", "CustomerEmail", "NormalizedCustomerName", "NormalizedCustomerEmail", "Status", "Payment",
        "Shipping", "Currency", "Total", "Tax", "ItemCount", "CartReference", "PaidAmount", "AuthorizedAmount", "RefundedAmount",
        .. AddressColumns("BillingAddress"), .. AddressColumns("ShippingAddress"), "CreatedAt", "UpdatedAt", "Version",
    ];

    private static string[] AddressColumns(string prefix) =>
        AddressFields.Select(c => $"{prefix}_{c}").ToArray();

    private Customer NextCustomer(int index, DateTime now, string? passwordHash)
    {
        var first = faker.Name.FirstName();
        var last = faker.Name.LastName();
        var created = now.AddMinutes(-faker.Random.Int(1, 3 * 365 * 24 * 60));
        var updated = faker.Random.Bool(0.3f) ? created.AddMinutes(faker.Random.Int(1, (int)Math.Max(1, (now - created).TotalMinutes))) : created;
        var customer = new Customer
        {
            Id = Guid.CreateVersion7(new DateTimeOffset(created)),
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
        // The index number keeps emails unique however many customers share a name.
        customer.SetEmail($"{Slug(local)}{index}@{faker.PickRandom(Domains)}");
        return customer;
    }

    private static (string First, string Last) SplitName(string name)
    {
        var space = name.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (name, name) : (name[..space], name[(space + 1)..]);
    }

    private static string Slug(string s) => new(s.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '.').ToArray());

    /// <summary>An id as the provider stores it (SQLite: upper-case text).</summary>
    private object Id(Guid id) => dialect.StoredValue(id);

    /// <summary>A timestamp as the provider stores it, so seeded rows sort and compare like the app's own.</summary>
    private object Ts(DateTime utc) => dialect.StoredValue(Common.Clock.Truncate(utc));

}
