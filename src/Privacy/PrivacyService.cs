using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.CustomerSignIn;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.DataTransfer;
using CommerceManager.Duplicates;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Privacy;

/// <summary>Orders that cannot be anonymized yet (still open), with the first one named.</summary>
public sealed record AnonymizeRefusal(Guid OrderId, string Reason);

/// <summary>
/// Privacy requests (GDPR / CCPA): everything the store holds about a customer as one document, and erasure: the
/// customer's personal data removed everywhere it is kept, while its orders keep their money facts (totals, items,
/// dates, statuses) with the personal fields blanked, so accounting still adds up. Admins in the console and API
/// clients with a secret; the same methods for both.
/// </summary>
public sealed class PrivacyService(IDbContextFactory<AppDbContext> dbFactory, CustomFieldValues customFields, HistoryService history,
    SqlDialect dialect, TimeProvider clock)
{
    /// <summary>What an erased order's checkout event names instead of the customer.</summary>
    public const string ErasedBy = "checkout (personal data erased)";

    /// <summary>The customer's personal data as one JSON document (see docs/privacy.md for its shape); null when there is no such customer.</summary>
    public async Task<JsonObject?> ExportAsync(ClaimsPrincipal user, Guid customerId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null)
        {
            return null;
        }
        var addresses = await db.Addresses.AsNoTracking().Where(a => a.CustomerId == customerId).OrderBy(a => a.CreatedAt).ToListAsync(ct);
        var orders = await OrdersOf(db, customer).AsNoTracking().Include(o => o.Items).OrderBy(o => o.CreatedAt).AsSplitQuery().ToListAsync(ct);
        var logins = await (from l in db.CustomerLogins.AsNoTracking()
                            join p in db.OidcProfiles.AsNoTracking() on l.ProfileId equals p.Id
                            where l.CustomerId == customerId
                            orderby l.CreatedAt
                            select new { Provider = p.Name, l.Subject, l.Email, l.CreatedAt, l.LastSignInAt }).ToListAsync(ct);
        var fieldSlugs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flow in Flow.Slugs)
        {
            foreach (var field in await customFields.FieldsAsync(flow, ct))
            {
                fieldSlugs[field.Id.ToString()] = field.Slug;
            }
        }
        JsonObject Custom(string? json)
        {
            var values = new JsonObject();
            foreach (var (key, value) in CustomFieldValues.Parse(json))
            {
                values[fieldSlugs.GetValueOrDefault(key, key)] = value?.DeepClone();
            }
            return values;
        }

        var entries = new JsonArray();
        Guid? before = null;
        do
        {
            var page = await history.TimelineAsync(user, customerId, new HistoryQuery(Before: before, Limit: HistoryService.MaxLimit), ct);
            foreach (var e in page.Items)
            {
                var changes = new JsonArray();
                foreach (var c in e.Changes)
                {
                    changes.Add(new JsonObject { ["field"] = c.Field, ["label"] = c.Label, ["from"] = c.From, ["to"] = c.To });
                }
                entries.Add(new JsonObject
                {
                    ["time"] = Stamp(e.At), ["kind"] = e.Kind, ["resource_type"] = e.ResourceType, ["resource_id"] = e.ResourceId.ToString(),
                    ["action"] = e.Action, ["summary"] = e.Title, ["who"] = e.Who, ["channel"] = e.Channel, ["changes"] = changes,
                });
            }
            before = page.Next;
        }
        while (before is not null);

        return new JsonObject
        {
            ["type"] = "personal_data_export",
            ["exported_at"] = Stamp(clock.GetUtcNow().UtcDateTime),
            ["customer"] = new JsonObject
            {
                ["id"] = customer.Id.ToString(),
                ["name"] = customer.Name,
                ["email"] = customer.Email,
                ["external_ref"] = customer.ExternalRef,
                ["password"] = customer.PasswordHash is null ? "not set" : "set",
                ["created_at"] = Stamp(customer.CreatedAt),
                ["updated_at"] = Stamp(customer.UpdatedAt),
                ["custom_fields"] = Custom(customer.CustomData),
            },
            ["addresses"] = new JsonArray(addresses.Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id.ToString(),
                ["name"] = a.Name,
                ["postal"] = Postal(a.Postal),
                ["custom_fields"] = Custom(a.CustomData),
                ["created_at"] = Stamp(a.CreatedAt),
                ["updated_at"] = Stamp(a.UpdatedAt),
            }).ToArray()),
            ["orders"] = new JsonArray(orders.Select(o => (JsonNode)new JsonObject
            {
                ["id"] = o.Id.ToString(),
                ["order_number"] = o.OrderNumber,
                ["linked_to_customer"] = o.CustomerId == customer.Id,
                ["customer_name"] = o.CustomerName,
                ["customer_email"] = o.CustomerEmail,
                ["status"] = OrderTransitions.Word(o.Status), ["payment"] = OrderTransitions.Word(o.Payment), ["shipping"] = OrderTransitions.Word(o.Shipping),
                ["currency"] = o.Currency, ["total"] = o.Total, ["tax"] = o.Tax,
                ["billing_address"] = Postal(o.BillingAddress),
                ["shipping_address"] = Postal(o.ShippingAddress),
                ["items"] = new JsonArray(o.Items.Select(i => (JsonNode)new JsonObject
                {
                    ["name"] = i.Name, ["sku"] = i.Sku, ["quantity"] = i.Quantity, ["unit_price"] = i.UnitPrice, ["line_total"] = i.LineTotal,
                }).ToArray()),
                ["created_at"] = Stamp(o.CreatedAt),
            }).ToArray()),
            ["sign_in"] = new JsonObject
            {
                ["password"] = customer.PasswordHash is null ? "not set" : "set",
                ["providers"] = new JsonArray(logins.Select(l => (JsonNode)new JsonObject
                {
                    ["provider"] = l.Provider, ["subject"] = l.Subject, ["email"] = l.Email,
                    ["linked_at"] = Stamp(l.CreatedAt), ["last_sign_in_at"] = Stamp(l.LastSignInAt),
                }).ToArray()),
            },
            ["history"] = entries,
        };
    }

    /// <summary>
    /// Erases the customer's personal data in one transaction: the customer with its addresses, custom values, sign-in
    /// links and tokens goes; its orders (and guest orders under its email) keep totals, items, dates and statuses with
    /// name, email and addresses blanked; history keeps when and who but not the values; merge snapshots, bulk jobs' undo data, duplicate
    /// pairs and import error rows that name it are cleared. The request is recorded without personal data, and the
    /// email can be registered again.
    /// </summary>
    public async Task<Outcome<ErasureRequest>> EraseCustomerAsync(ClaimsPrincipal user, Guid customerId, string? reference = null,
        CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        return await OnErasureConnectionAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == customerId, ct);
            // Its timeline, and the timelines of customers merged into it (their records keep their own ids).
            var timelines = await db.CustomerMerges.Where(m => m.SurvivorId == customerId).Select(m => m.RemovedId).ToListAsync(ct);
            timelines.Add(customerId);
            var emails = new HashSet<string>(StringComparer.Ordinal);
            if (customer is not null)
            {
                emails.Add(customer.NormalizedEmail);
            }
            // A customer deleted before: its history still names it, and guest orders may carry its email.
            foreach (var delta in await db.ChangeRecords.Where(r => r.CustomerId != null && timelines.Contains(r.CustomerId.Value) && r.ResourceType == "customer")
                         .Select(r => r.Delta).ToListAsync(ct))
            {
                if (JsonNode.Parse(delta) is JsonObject fields && fields["email"] is JsonObject email)
                {
                    foreach (var value in new[] { email["from"], email["to"] })
                    {
                        if (value?.GetValue<string>() is { Length: > 0 } text)
                        {
                            emails.Add(Customer.Normalize(text));
                        }
                    }
                }
            }
            if (customer is null && emails.Count == 0)
            {
                return Outcome.NotFound<ErasureRequest>();
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var orders = await db.Orders.Where(o => o.CustomerId == customerId
                || (o.CustomerId == null && emails.Contains(o.NormalizedCustomerEmail))).ToListAsync(ct);
            foreach (var order in orders)
            {
                Blank(order, now);
            }
            var orderIds = orders.Select(o => o.Id).ToList();
            await db.Set<OrderEvent>().Where(e => orderIds.Contains(e.OrderId) && e.Field == "created").ExecuteUpdateAsync(s => s.SetProperty(e => e.By, ErasedBy), ct);
            var cleared = await db.ChangeRecords.Where(r => r.CustomerId != null && timelines.Contains(r.CustomerId.Value))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Delta, "{}").SetProperty(r => r.Subject, (string?)null), ct);
            await db.CustomerMerges.Where(m => timelines.Contains(m.SurvivorId) || timelines.Contains(m.RemovedId))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.RemovedName, "").SetProperty(m => m.RemovedEmail, "").SetProperty(m => m.SurvivorName, "")
                    .SetProperty(m => m.Snapshot, "{}"), ct);
            await db.DuplicatePairs.Where(p => timelines.Contains(p.FirstId) || timelines.Contains(p.SecondId)).ExecuteDeleteAsync(ct);
            // What a bulk delete or field set kept for its undo (a deleted customer's values, password hash, addresses).
            await db.CustomerBulkJobItems.Where(i => timelines.Contains(i.CustomerId)).ExecuteDeleteAsync(ct);
            // Import error rows keep the cells of a refused row (JSON text): any spelling of the email clears them.
            var spellings = emails.SelectMany(e => new[] { e, e.ToLowerInvariant(), System.Text.Json.JsonSerializer.Serialize(e.ToLowerInvariant()).Trim('"') })
                .Concat(customer is null ? [] : new[] { customer.Email, System.Text.Json.JsonSerializer.Serialize(customer.Email).Trim('"') })
                .Distinct().ToList();
            foreach (var spelling in spellings.Select(s => s.ToLowerInvariant()).Distinct())
            {
                // In any letter case: a file may have spelt the email ADA@Example.com.
                await db.ImportRowErrors.Where(e => e.Values.ToLower().Contains(spelling) || e.Message.ToLower().Contains(spelling))
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Values, "[]").SetProperty(e => e.Message, "(erased)"), ct);
                // An import that stopped at the customer's row names the email in its reason.
                await db.ImportJobs.Where(j => j.Error != null && j.Error.ToLower().Contains(spelling))
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.Error, "Stopped at a row whose customer's personal data has since been erased."), ct);
                // Saved views (stored URL-escaped) and finished exports whose filter or search names the customer.
                var escaped = Uri.EscapeDataString(spelling).ToLowerInvariant();
                await db.Set<Views.SavedView>().Where(v => v.Query.ToLower().Contains(spelling) || v.Query.ToLower().Contains(escaped)).ExecuteDeleteAsync(ct);
                await db.Set<Exports.ExportJob>()
                    .Where(j => j.Status != JobStatus.Pending && j.Status != JobStatus.Started
                        && ((j.Filter != null && j.Filter.ToLower().Contains(spelling)) || (j.Search != null && j.Search.ToLower().Contains(spelling))))
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.Filter, "(erased)").SetProperty(j => j.Search, (string?)null), ct);
            }
            // A payment's name and reference may be the customer's (a cheque's payee, a bank reference).
            await db.Set<OrderTransaction>().Where(t => orderIds.Contains(t.OrderId))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Name, (string?)null).SetProperty(t => t.CustomReference, (string?)null), ct);
            var addresses = await db.Addresses.CountAsync(a => a.CustomerId == customerId, ct);
            // A plain delete, not through the change tracker: the usual deletion record would keep the values being erased.
            // The database cascades to addresses, sign-in links and tokens.
            if (customer is not null)
            {
                await db.Customers.Where(c => c.Id == customerId).ExecuteDeleteAsync(ct);
            }

            var actor = ChangeContext.Current;
            var request = new ErasureRequest
            {
                Id = Guid.CreateVersion7(), ResourceType = "customer", ResourceId = customerId, Status = ErasureStatus.Success,
                StatusDescription = "The erasure request is successfully processed", InitiatorKind = actor.Kind, InitiatorId = actor.Id,
                InitiatorName = actor.Name, Reference = string.IsNullOrWhiteSpace(reference) ? null : reference.Trim(),
                OrdersAnonymized = orders.Count, AddressesDeleted = addresses, HistoryEntriesCleared = cleared, CreatedAt = now, UpdatedAt = now,
            };
            db.ErasureRequests.Add(request);
            db.RecordChange(customerId, "customer", customerId, ChangeKinds.Details, ChangeActions.Erased, null,
                new Dictionary<string, (string?, string?)>
                {
                    ["erasure_request"] = (null, request.Id.ToString()),
                    ["orders_anonymized"] = (null, orders.Count.ToString(CultureInfo.InvariantCulture)),
                });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return request;
        }, ct);
    }

    /// <summary>EP's resource types for an account member (its user authentication info has the same id).</summary>
    public static readonly string[] MemberTypes = ["account-member", "account_member", "user-authentication-info"];

    /// <summary>
    /// Erases an account member (EP's <c>account-member</c> / <c>user-authentication-info</c> erasure): the member with its
    /// usernames, passwords, memberships and tokens goes; the orders it placed keep their money facts with its name,
    /// email and addresses blanked; its history keeps when and who without the values. The accounts it belonged to stay.
    /// </summary>
    public async Task<Outcome<ErasureRequest>> EraseAccountMemberAsync(ClaimsPrincipal user, Guid memberId, string? reference = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        return await OnErasureConnectionAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var exists = await db.AccountMembers.AnyAsync(m => m.Id == memberId, ct);
            if (!exists && !await db.ChangeRecords.AnyAsync(r => r.CustomerId == memberId, ct))
            {
                return Outcome.NotFound<ErasureRequest>();
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var orders = await db.Orders.Where(o => o.AccountMemberId == memberId).ToListAsync(ct);
            foreach (var order in orders)
            {
                Blank(order, now, unlink: false);
                order.AccountMemberId = null;
            }
            var orderIds = orders.Select(o => o.Id).ToList();
            await db.Set<OrderEvent>().Where(e => orderIds.Contains(e.OrderId) && e.Field == "created").ExecuteUpdateAsync(s => s.SetProperty(e => e.By, ErasedBy), ct);
            var cleared = await db.ChangeRecords.Where(r => r.CustomerId == memberId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Delta, "{}").SetProperty(r => r.Subject, (string?)null), ct);
            // A plain delete: the change tracker's deletion record would keep the values being erased. The database
            // cascades to usernames, passwords, memberships and tokens.
            await db.AccountMembers.Where(m => m.Id == memberId).ExecuteDeleteAsync(ct);
            var request = Request("account-member", memberId, reference, orders.Count, 0, cleared, now);
            db.ErasureRequests.Add(request);
            db.RecordChange(memberId, "account-member", memberId, ChangeKinds.Member, ChangeActions.Erased, null,
                new Dictionary<string, (string?, string?)> { ["erasure_request"] = (null, request.Id.ToString()) });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return request;
        }, ct);
    }

    /// <summary>
    /// Erases an account (EP's <c>account</c> erasure): the account with its addresses, memberships and tags goes; its
    /// orders keep their money facts with the contact and addresses blanked; its history keeps when and who. Its members
    /// stay (each is erased on its own). Refused while the account has child accounts.
    /// </summary>
    public async Task<Outcome<ErasureRequest>> EraseAccountAsync(ClaimsPrincipal user, Guid accountId, string? reference = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        return await OnErasureConnectionAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct) && !await db.ChangeRecords.AnyAsync(r => r.CustomerId == accountId, ct))
            {
                return Outcome.NotFound<ErasureRequest>();
            }
            if (await db.Accounts.AnyAsync(a => a.ParentId == accountId, ct))
            {
                return Outcome.Refused<ErasureRequest>(AccountService.HasChildren);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var orders = await db.Orders.Where(o => o.AccountId == accountId).ToListAsync(ct);
            foreach (var order in orders)
            {
                Blank(order, now, unlink: false);
            }
            var orderIds = orders.Select(o => o.Id).ToList();
            await db.Set<OrderEvent>().Where(e => orderIds.Contains(e.OrderId) && e.Field == "created").ExecuteUpdateAsync(s => s.SetProperty(e => e.By, ErasedBy), ct);
            var cleared = await db.ChangeRecords.Where(r => r.CustomerId == accountId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Delta, "{}").SetProperty(r => r.Subject, (string?)null), ct);
            var addresses = await db.AccountAddresses.CountAsync(a => a.AccountId == accountId, ct);
            await db.Carts.Where(c => c.AccountId == accountId).ExecuteDeleteAsync(ct);
            await db.Accounts.Where(a => a.Id == accountId).ExecuteDeleteAsync(ct);
            var request = Request("account", accountId, reference, orders.Count, addresses, cleared, now);
            db.ErasureRequests.Add(request);
            db.RecordChange(accountId, "account", accountId, ChangeKinds.Account, ChangeActions.Erased, null,
                new Dictionary<string, (string?, string?)> { ["erasure_request"] = (null, request.Id.ToString()) });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return request;
        }, ct);
    }

    private static ErasureRequest Request(string type, Guid id, string? reference, int orders, int addresses, int cleared, DateTime now)
    {
        var actor = ChangeContext.Current;
        return new ErasureRequest
        {
            Id = Guid.CreateVersion7(), ResourceType = type, ResourceId = id, Status = ErasureStatus.Success,
            StatusDescription = "The erasure request is successfully processed", InitiatorKind = actor.Kind, InitiatorId = actor.Id,
            InitiatorName = actor.Name, Reference = string.IsNullOrWhiteSpace(reference) ? null : reference.Trim(),
            OrdersAnonymized = orders, AddressesDeleted = addresses, HistoryEntriesCleared = cleared, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>
    /// EP's related data entries of an account or an account member: the resource, its addresses, memberships, usernames
    /// and orders (what an erasure of it touches).
    /// </summary>
    public async Task<IReadOnlyList<(string ResourceType, Guid ResourceId)>> RelatedToAccountsAsync(ClaimsPrincipal user, string type, Guid id,
        CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var related = new List<(string, Guid)>();
        if (type == "account" && await db.Accounts.AnyAsync(a => a.Id == id, ct))
        {
            related.Add(("account", id));
            related.AddRange((await db.AccountAddresses.Where(a => a.AccountId == id).Select(a => a.Id).ToListAsync(ct)).Select(a => ("address", a)));
            related.AddRange((await db.AccountMemberships.Where(m => m.AccountId == id).Select(m => m.Id).ToListAsync(ct)).Select(m => ("account-membership", m)));
            related.AddRange((await db.Orders.Where(o => o.AccountId == id).Select(o => o.Id).ToListAsync(ct)).Select(o => ("order", o)));
        }
        else if (MemberTypes.Contains(type) && await db.AccountMembers.AnyAsync(m => m.Id == id, ct))
        {
            related.Add(("account-member", id));
            related.Add(("user-authentication-info", id));
            related.AddRange((await db.MemberPasswords.Where(p => p.MemberId == id).Select(p => p.Id).ToListAsync(ct))
                .Select(p => ("user-authentication-password-profile-info", p)));
            related.AddRange((await db.AccountMemberships.Where(m => m.MemberId == id).Select(m => m.Id).ToListAsync(ct)).Select(m => ("account-membership", m)));
            related.AddRange((await db.Orders.Where(o => o.AccountMemberId == id).Select(o => o.Id).ToListAsync(ct)).Select(o => ("order", o)));
        }
        return related;
    }

    /// <summary>EP's <c>POST /v2/orders/anonymize</c>: blanks the personal fields of finished orders (fulfilled, cancelled or refunded).</summary>
    public async Task<Outcome<IReadOnlyList<Guid>>> AnonymizeOrdersAsync(ClaimsPrincipal user, IReadOnlyList<Guid> orderIds, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        return await OnErasureConnectionAsync(async db =>
        {
            var ids = orderIds.Distinct().ToList();
            var orders = await db.Orders.Where(o => ids.Contains(o.Id)).ToListAsync(ct);
            if (ids.FirstOrDefault(id => orders.All(o => o.Id != id)) is var missing && missing != Guid.Empty)
            {
                return Outcome.NotFound<IReadOnlyList<Guid>>();
            }
            if (orders.FirstOrDefault(o => !(o.Shipping == ShippingStatus.Fulfilled || o.Status == OrderStatus.Cancelled || o.Payment == PaymentStatus.Refunded)) is { } open)
            {
                return Outcome.Refused<IReadOnlyList<Guid>>($"Could not anonymize orders: order {open.Id} is not fulfilled, cancelled or refunded.");
            }
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var order in orders)
            {
                // Still the customer's order (its counts and totals stay), without the personal fields.
                Blank(order, now, unlink: false);
            }
            await db.Set<OrderEvent>().Where(e => ids.Contains(e.OrderId) && e.Field == "created").ExecuteUpdateAsync(s => s.SetProperty(e => e.By, ErasedBy), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return new Outcome<IReadOnlyList<Guid>>(OutcomeKind.Ok, ids);
        }, ct);
    }

    public async Task<ErasureRequest?> GetErasureAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ErasureRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
    }

    public async Task<IReadOnlyList<ErasureRequest>> ErasuresOfAsync(ClaimsPrincipal user, string resourceType, Guid resourceId, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePersonalData);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (MemberTypes.Contains(resourceType))
        {
            resourceType = "account-member";
        }
        return await db.ErasureRequests.AsNoTracking().Where(r => r.ResourceType == resourceType && r.ResourceId == resourceId)
            .OrderByDescending(r => r.CreatedAt).ToListAsync(ct);
    }

    /// <summary>
    /// Runs an erasure on one open connection: what it deletes is overwritten (SQLite), and afterwards the write-ahead
    /// log is folded in and emptied, so earlier versions of the erased pages do not linger there.
    /// </summary>
    private async Task<T> OnErasureConnectionAsync<T>(Func<AppDbContext, Task<T>> erase, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var connection = db.Database.GetDbConnection();
        try
        {
            await dialect.BeginErasureAsync(connection, ct);
            return await erase(db);
        }
        finally
        {
            await dialect.EndErasureAsync(connection, CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The customer's orders and the guest orders placed with its email.</summary>
    private static IQueryable<Order> OrdersOf(AppDbContext db, Customer customer)
    {
        var id = customer.Id;
        var email = customer.NormalizedEmail;
        return db.Orders.Where(o => o.CustomerId == id || (o.CustomerId == null && o.NormalizedCustomerEmail == email));
    }

    /// <summary>An order without the person: name, email, both addresses (the country stays: tax and accounting need it).</summary>
    private static void Blank(Order order, DateTime now, bool unlink = true)
    {
        if (unlink)
        {
            order.CustomerId = null;
        }
        order.CustomerName = "";
        order.CustomerEmail = "";
        order.NormalizedCustomerName = "";
        order.NormalizedCustomerEmail = "";
        order.BillingAddress = new PostalAddress { Country = order.BillingAddress.Country, Region = "" };
        order.ShippingAddress = new PostalAddress { Country = order.ShippingAddress.Country, Region = "" };
        order.UpdatedAt = now;
        order.Version = Guid.NewGuid();
    }

    private static JsonObject Postal(PostalAddress p) => new()
    {
        ["first_name"] = p.FirstName, ["last_name"] = p.LastName, ["company_name"] = p.CompanyName, ["line_1"] = p.Line1, ["line_2"] = p.Line2,
        ["city"] = p.City, ["region"] = p.Region, ["county"] = p.County, ["postcode"] = p.Postcode, ["country"] = p.Country,
        ["phone_number"] = p.PhoneNumber, ["instructions"] = p.Instructions,
    };

    private static string Stamp(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
