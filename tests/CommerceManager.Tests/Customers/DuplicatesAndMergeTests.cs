using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.CustomerSignIn;
using CommerceManager.CustomFields;
using CommerceManager.Duplicates;
using CommerceManager.Orders;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using CommerceManager.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Customers;

/// <summary>Likely duplicates found, scored and explained; merges that move everything, fail whole, and can be undone for 30 days.</summary>
public sealed class DuplicatesAndMergeTests : IAsyncLifetime
{
    private readonly FailingMerge failing = new();
    private TestServices services = null!;

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync(s => s.ConfigureDbContext<CommerceManager.Data.AppDbContext>(o => o.AddInterceptors(failing)));
        var designer = services.Get<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Tier", Slug = "tier", Type = FieldType.String });
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Points", Slug = "points", Type = FieldType.Integer });
        services.Get<CustomFieldValues>().Invalidate();
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<CustomerDto> CustomerAsync(string name, string email, string? password = null, Dictionary<string, JsonNode?>? custom = null, string? externalRef = null) =>
        (await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = name, Email = email, Password = password, Custom = custom, ExternalRef = externalRef })).Value!;

    private async Task<AddressDto> AddressAsync(Guid customer, string line1, string postcode, string? phone = null) =>
        (await services.Get<AddressService>().CreateAsync(As.Admin, customer, new AddressInput
        {
            FirstName = "A", LastName = "B", Line1 = line1, City = "London", County = "Greater London", Postcode = postcode, Country = "GB", PhoneNumber = phone,
        })).Value!;

    private async Task<Guid> OrderAsync(Guid customer, long price)
    {
        var cart = $"cart-{Guid.NewGuid():N}";
        await services.Get<CartService>().AddItemAsync(As.Admin, cart, new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = price });
        return (await services.Get<CheckoutService>().CheckoutAsync(As.Admin, cart, new CheckoutInput
        {
            CustomerId = customer, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing(),
        })).Value!.Order.Id;
    }

    [Fact]
    public async Task The_scan_finds_email_aliases_same_names_with_similar_emails_shared_phones_and_addresses_and_explains_each()
    {
        var ada = await CustomerAsync("Ada Lovelace", "ada.lovelace@gmail.com");
        var adaAlias = await CustomerAsync("A. Lovelace", "AdaLovelace+shop@googlemail.com");
        var grace = await CustomerAsync("Grace Hopper", "grace@navy.example");
        var graceToo = await CustomerAsync("Grace Hopper", "grace@hopper.example");
        await CustomerAsync("Grace Hopper", "gh1906@elsewhere.example"); // the same name, nothing like the emails
        await CustomerAsync("Grace Kelly", "grace@kelly.example");       // a similar email, another name
        var alan = await CustomerAsync("Alan Turing", "alan@turing.example");
        var al = await CustomerAsync("Al T.", "al.t@bletchley.example");
        await AddressAsync(alan.Id, "1 Hut Road", "MK3 6EB", "+44 20 7946 0000");
        await AddressAsync(al.Id, "9 Other Street", "SW1A 1AA", "020 7946 0000");
        var joan = await CustomerAsync("Joan Clarke", "joan@clarke.example");
        var hugh = await CustomerAsync("Hugh Alexander", "hugh@alexander.example");
        await AddressAsync(joan.Id, "12 Park Lane", "W1K 1AA");
        await AddressAsync(hugh.Id, "12, Park  lane", "w1k1aa");
        // One shop address shared by six customers says nothing about any two of them.
        for (var i = 0; i < 6; i++)
        {
            var shopper = await CustomerAsync($"Shopper {i}", $"shopper{i}@shop.example");
            await AddressAsync(shopper.Id, "1 Mall Street", "E1 6AN");
        }

        var found = await services.Get<DuplicateFinder>().ScanAsync();

        var merges = services.Get<MergeService>();
        var (rows, total) = await merges.ListAsync(As.Viewer, 0, 50);
        Assert.Equal(4, found);
        Assert.Equal(4, total);
        static (Guid, Guid) PairOf(Guid a, Guid b) => a.CompareTo(b) < 0 ? (a, b) : (b, a);
        var byPair = rows.ToDictionary(r => (r.FirstId, r.SecondId));
        Assert.Equal(["Same email once dots and +tags are ignored"], byPair[PairOf(ada.Id, adaAlias.Id)].Reasons);
        Assert.Equal(["Same name, similar emails"], byPair[PairOf(grace.Id, graceToo.Id)].Reasons);
        Assert.Equal(["Same phone number"], byPair[PairOf(alan.Id, al.Id)].Reasons);
        Assert.Equal(["Same street address"], byPair[PairOf(joan.Id, hugh.Id)].Reasons);
        Assert.Equal(byPair[PairOf(ada.Id, adaAlias.Id)].Id, rows[0].Id); // the most alike first
        Assert.True(rows.Select(r => r.Score).SequenceEqual(rows.Select(r => r.Score).OrderByDescending(s => s)));

        // "Not duplicates" holds through the next scan.
        await merges.DismissAsync(As.Representative, byPair[PairOf(joan.Id, hugh.Id)].Id);
        Assert.Equal(3, await services.Get<DuplicateFinder>().ScanAsync());
        Assert.DoesNotContain((await merges.ListAsync(As.Viewer, 0, 50)).Rows, r => (r.FirstId, r.SecondId) == PairOf(joan.Id, hugh.Id));
        await Assert.ThrowsAsync<CommerceManager.Security.AccessDeniedException>(() => merges.DismissAsync(As.Viewer, rows[0].Id));
    }

    [Fact]
    public async Task A_rescan_writes_only_what_changed_and_keeps_pairs_found_again_and_dismissals()
    {
        static (Guid, Guid) PairOf(Guid a, Guid b) => a.CompareTo(b) < 0 ? (a, b) : (b, a);
        var ada = await CustomerAsync("Ada Lovelace", "ada.lovelace@gmail.com");
        var adaAlias = await CustomerAsync("A. Lovelace", "adalovelace@gmail.com");
        var grace = await CustomerAsync("Grace Hopper", "grace@navy.example");
        var graceToo = await CustomerAsync("Grace Hopper", "grace@hopper.example");
        var joan = await CustomerAsync("Joan Clarke", "joan.clarke@gmail.com");
        var joanToo = await CustomerAsync("J. Clarke", "joanclarke@gmail.com");
        var finder = services.Get<DuplicateFinder>();
        var merges = services.Get<MergeService>();
        Assert.Equal(3, await finder.ScanAsync());
        var first = (await merges.ListAsync(As.Viewer, 0, 50)).Rows.ToDictionary(r => (r.FirstId, r.SecondId));
        await merges.DismissAsync(As.Representative, first[PairOf(joan.Id, joanToo.Id)].Id);

        // Grace's second record gets another name (no longer alike); Alan arrives twice.
        var changed = await services.Get<CustomerService>().UpdateAsync(As.Admin, graceToo.Id, new CustomerInput { Name = "Gracie Lou", Email = "grace@hopper.example" }, expectedVersion: null);
        Assert.True(changed.IsOk);
        var alan = await CustomerAsync("Alan Turing", "alan.turing@gmail.com");
        var alanToo = await CustomerAsync("A. Turing", "alanturing+shop@gmail.com");
        // Ada's two records now share a phone too: the pair's reasons change.
        await AddressAsync(ada.Id, "1 Hut Road", "MK3 6EB", "+44 20 7946 0001");
        await AddressAsync(adaAlias.Id, "9 Other Street", "SW1A 1AA", "020 7946 0001");
        Assert.Equal(2, await finder.ScanAsync());

        var second = (await merges.ListAsync(As.Viewer, 0, 50)).Rows.ToDictionary(r => (r.FirstId, r.SecondId));
        Assert.Equal([PairOf(ada.Id, adaAlias.Id), PairOf(alan.Id, alanToo.Id)], second.Keys.Order().ToArray());
        // The pair found again is the same row, found when it was first found: not deleted and written again.
        var again = second[PairOf(ada.Id, adaAlias.Id)];
        Assert.Equal(first[PairOf(ada.Id, adaAlias.Id)].Id, again.Id);
        Assert.Equal(first[PairOf(ada.Id, adaAlias.Id)].FoundAt, again.FoundAt);
        Assert.Equal(["Same email once dots and +tags are ignored", "Same phone number"], again.Reasons);
        Assert.True(again.Score > first[PairOf(ada.Id, adaAlias.Id)].Score);
        Assert.DoesNotContain(PairOf(grace.Id, graceToo.Id), second.Keys);
        // The dismissal still holds, and its row is kept for the next scans.
        await using var db = await services.Get<IDbContextFactory<CommerceManager.Data.AppDbContext>>().CreateDbContextAsync();
        var dismissed = await db.DuplicatePairs.SingleAsync(p => p.DismissedAt != null);
        Assert.Equal(PairOf(joan.Id, joanToo.Id), (dismissed.FirstId, dismissed.SecondId));
        Assert.Equal(3, await db.DuplicatePairs.CountAsync());
    }

    [Fact]
    public async Task A_merge_moves_everything_to_the_survivor_and_undo_brings_the_other_back_as_it_was()
    {
        var keep = await CustomerAsync("Ada Lovelace", "ada@example.com", custom: new() { ["tier"] = "Gold" });
        var other = await CustomerAsync("Ada King", "ada.king@example.com", password: "a long password 1", externalRef: "crm-42",
            custom: new() { ["tier"] = "Silver", ["points"] = 120 });
        var keepAddress = await AddressAsync(keep.Id, "1 Keep Street", "N1 1AA");
        var otherAddresses = new[] { await AddressAsync(other.Id, "2 Other Street", "N2 2BB"), await AddressAsync(other.Id, "3 Other Street", "N3 3CC") };
        await OrderAsync(keep.Id, 1000);
        var otherOrder = await OrderAsync(other.Id, 2500);
        var login = Guid.NewGuid();
        await using (var db = await services.DbAsync())
        {
            // The other account signs in through a provider: the link moves with the merge and back with the undo.
            var profile = new CommerceManager.CustomerSignIn.OidcProfile
            {
                Id = Guid.NewGuid(), Name = "Provider", DiscoveryUrl = "https://id.example/.well-known/openid-configuration", ClientId = "store",
                ProtectedClientSecret = "x", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.OidcProfiles.Add(profile);
            db.CustomerLogins.Add(new CommerceManager.CustomerSignIn.CustomerLogin
            {
                Id = login, CustomerId = other.Id, ProfileId = profile.Id, Subject = "ada-king", CreatedAt = DateTime.UtcNow, LastSignInAt = DateTime.UtcNow,
            });
            db.CustomerTokens.AddRange(
                new CustomerToken { Id = Guid.NewGuid(), CustomerId = keep.Id, CreatedAt = DateTime.UtcNow, ExpiresAt = DateTime.UtcNow.AddHours(1) },
                new CustomerToken { Id = Guid.NewGuid(), CustomerId = other.Id, CreatedAt = DateTime.UtcNow, ExpiresAt = DateTime.UtcNow.AddHours(1) });
            await db.SaveChangesAsync();
        }
        var fields = await services.Get<CustomFieldValues>().FieldsAsync(Flow.Customers);
        var tier = fields.Single(f => f.Slug == "tier").Id.ToString();
        var merges = services.Get<MergeService>();

        // Ada keeps her name and email, takes the other's external ref and tier; points, which only the other had, come along.
        var merged = await merges.MergeAsync(As.Representative, keep.Id, other.Id, new MergeChoices(ExternalRef: true, CustomFields: [tier, fields.Single(f => f.Slug == "points").Id.ToString()]));

        Assert.True(merged.IsOk, merged.Error);
        var customers = services.Get<CustomerService>();
        Assert.Null(await customers.GetAsync(As.Admin, other.Id));
        var survivor = (await customers.GetAsync(As.Admin, keep.Id))!;
        Assert.Equal(("Ada Lovelace", "ada@example.com", "crm-42", true), (survivor.Name, survivor.Email, survivor.ExternalRef, survivor.HasPassword));
        Assert.Equal((2, 3500L), (survivor.OrderCount, survivor.OrdersTotal));
        await using (var db = await services.DbAsync())
        {
            var stored = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == keep.Id);
            var custom = CustomFieldValues.Parse(stored.CustomData);
            Assert.Equal("Silver", (string?)custom[tier]);
            Assert.Equal(120, (int?)custom[fields.Single(f => f.Slug == "points").Id.ToString()]);
            Assert.Equal(3, await db.Addresses.CountAsync(a => a.CustomerId == keep.Id));
            Assert.Equal(keep.Id, (await db.Orders.AsNoTracking().SingleAsync(o => o.Id == otherOrder)).CustomerId);
            Assert.Equal(0, await db.CustomerTokens.CountAsync(t => t.CustomerId == keep.Id || t.CustomerId == other.Id));
            Assert.Equal(keep.Id, (await db.CustomerLogins.AsNoTracking().SingleAsync(l => l.Id == login)).CustomerId);
        }

        var undone = await merges.UndoAsync(As.Representative, merged.Value!.Id);

        Assert.True(undone.IsOk, undone.Error);
        var back = (await customers.GetAsync(As.Admin, other.Id))!;
        Assert.Equal(("Ada King", "ada.king@example.com", "crm-42", true, 1, 2500L), (back.Name, back.Email, back.ExternalRef, back.HasPassword, back.OrderCount, back.OrdersTotal));
        var restored = (await customers.GetAsync(As.Admin, keep.Id))!;
        Assert.Equal((null, false, 1, 1000L), (restored.ExternalRef, restored.HasPassword, restored.OrderCount, restored.OrdersTotal));
        await using (var db = await services.DbAsync())
        {
            Assert.Equal("Gold", (string?)CustomFieldValues.Parse((await db.Customers.AsNoTracking().SingleAsync(c => c.Id == keep.Id)).CustomData)[tier]);
            Assert.Equal("Silver", (string?)CustomFieldValues.Parse((await db.Customers.AsNoTracking().SingleAsync(c => c.Id == other.Id)).CustomData)[tier]);
            Assert.Equal([keepAddress.Id], await db.Addresses.Where(a => a.CustomerId == keep.Id).Select(a => a.Id).ToListAsync());
            Assert.Equal(other.Id, (await db.CustomerLogins.AsNoTracking().SingleAsync(l => l.Id == login)).CustomerId);
            Assert.Equal(otherAddresses.Select(a => a.Id).Order(), (await db.Addresses.Where(a => a.CustomerId == other.Id).Select(a => a.Id).ToListAsync()).Order());
        }
        // The other's password is its own again: it signs in with it.
        Assert.Equal(other.Id, await customers.VerifyPasswordAsync("ada.king@example.com", "a long password 1"));
        var twice = await merges.UndoAsync(As.Representative, merged.Value.Id);
        Assert.Equal(OutcomeKind.Refused, twice.Kind);
    }

    [Fact]
    public async Task A_merge_that_fails_on_its_last_step_leaves_both_customers_as_they_were()
    {
        var keep = await CustomerAsync("Grace Hopper", "grace@example.com");
        var other = await CustomerAsync("Grace B. Hopper", "grace.b@example.com");
        await AddressAsync(other.Id, "1 Navy Way", "22201");
        await OrderAsync(other.Id, 700);
        failing.Armed = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            services.Get<MergeService>().MergeAsync(As.Representative, keep.Id, other.Id, new MergeChoices(Name: true, Email: true)));

        failing.Armed = false;
        var customers = services.Get<CustomerService>();
        var stillOther = (await customers.GetAsync(As.Admin, other.Id))!;
        var stillKeep = (await customers.GetAsync(As.Admin, keep.Id))!;
        Assert.Equal(("Grace B. Hopper", "grace.b@example.com", 1, 700L), (stillOther.Name, stillOther.Email, stillOther.OrderCount, stillOther.OrdersTotal));
        Assert.Equal(("Grace Hopper", "grace@example.com", 0), (stillKeep.Name, stillKeep.Email, stillKeep.OrderCount));
        await using var db = await services.DbAsync();
        Assert.Equal(1, await db.Addresses.CountAsync(a => a.CustomerId == other.Id));
        Assert.Equal(0, await db.CustomerMerges.CountAsync());
    }

    [Fact]
    public async Task Undo_is_refused_after_30_days_or_when_the_email_was_taken_since_and_old_merges_forget_the_removed_customer()
    {
        var merges = services.Get<MergeService>();
        var keep = await CustomerAsync("Alan Turing", "alan@example.com");
        var other = await CustomerAsync("Alan M. Turing", "alan.m@example.com");
        var merge = (await merges.MergeAsync(As.Representative, keep.Id, other.Id, new MergeChoices())).Value!;
        var taker = await CustomerAsync("Someone Else", "alan.m@example.com");

        var refused = await merges.UndoAsync(As.Representative, merge.Id);
        Assert.Equal(OutcomeKind.Refused, refused.Kind);
        Assert.Contains("alan.m@example.com", refused.Error);
        Assert.Equal("Alan Turing", (await services.Get<CustomerService>().GetAsync(As.Admin, keep.Id))!.Name); // nothing changed by the refused undo
        await services.Get<CustomerService>().DeleteAsync(As.Admin, taker.Id);

        await using (var db = await services.DbAsync())
        {
            await db.CustomerMerges.Where(m => m.Id == merge.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.UndoUntil, DateTime.UtcNow.AddMinutes(-1)));
        }
        var late = await merges.UndoAsync(As.Representative, merge.Id);
        Assert.Equal(OutcomeKind.Refused, late.Kind);
        Assert.Contains("30 days", late.Error);
        Assert.Equal(1, await merges.ForgetExpiredAsync());
        await using var check = await services.DbAsync();
        Assert.Equal("{}", (await check.CustomerMerges.SingleAsync()).Snapshot);
    }

    [Fact]
    public async Task Two_customers_with_more_addresses_than_one_may_have_are_not_merged()
    {
        var keep = await CustomerAsync("Many Addresses", "many@example.com");
        var other = await CustomerAsync("Many Addresses Too", "many.too@example.com");
        await using (var db = await services.DbAsync())
        {
            for (var i = 0; i < AddressLimits.PerCustomer; i++)
            {
                db.Addresses.Add(new Address
                {
                    Id = Guid.NewGuid(), CustomerId = i % 2 == 0 ? keep.Id : other.Id, Postal = new PostalAddress { FirstName = "M", LastName = "A", Line1 = $"{i} Road", Postcode = "N1", Country = "GB", County = "" },
                    CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, Version = Guid.NewGuid(),
                });
            }
            db.Addresses.Add(new Address
            {
                Id = Guid.NewGuid(), CustomerId = other.Id, Postal = new PostalAddress { FirstName = "M", LastName = "A", Line1 = "Extra Road", Postcode = "N1", Country = "GB", County = "" },
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, Version = Guid.NewGuid(),
            });
            await db.SaveChangesAsync();
        }

        var refused = await services.Get<MergeService>().MergeAsync(As.Representative, keep.Id, other.Id, new MergeChoices());

        Assert.Equal(OutcomeKind.Refused, refused.Kind);
        Assert.Contains("at most", refused.Error);
        Assert.NotNull(await services.Get<CustomerService>().GetAsync(As.Admin, other.Id));
    }

    [Theory]
    [InlineData("A.DA+X@GMAIL.COM", "ADA@GMAIL.COM")]
    [InlineData("ADA@GOOGLEMAIL.COM", "ADA@GMAIL.COM")]
    [InlineData("ADA+NEWS@OUTLOOK.COM", "ADA@OUTLOOK.COM")]
    [InlineData("A.DA@OUTLOOK.COM", "A.DA@OUTLOOK.COM")]
    [InlineData("ADA+X@EXAMPLE.COM", "ADA+X@EXAMPLE.COM")]
    public void Email_keys_drop_only_what_the_provider_ignores(string email, string key) => Assert.Equal(key, DuplicateFinder.EmailKey(email));

    /// <summary>Throws when a merge's record is about to be saved: the last step of a merge.</summary>
    private sealed class FailingMerge : SaveChangesInterceptor
    {
        public bool Armed { get; set; }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
        {
            if (Armed && eventData.Context!.ChangeTracker.Entries<CustomerMerge>().Any(e => e.State == EntityState.Added))
            {
                throw new InvalidOperationException("The disk went away.");
            }
            return base.SavingChangesAsync(eventData, result, ct);
        }
    }
}
