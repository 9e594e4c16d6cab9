using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>Finding and merging the same person twice, undoing it; moving customers over from another store's API.</summary>
public sealed class DuplicatesJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Two_accounts_of_one_person_are_found_merged_with_chosen_values_and_the_merge_undone()
    {
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        var system = Access.SystemAdmin("e2e");
        var ada = (await customers.CreateAsync(system, new CustomerInput { Name = "Ada Lovelace", Email = "ada.lovelace@gmail.com" })).Value!;
        var alias = (await customers.CreateAsync(system, new CustomerInput { Name = "Augusta Ada King", Email = "adalovelace+shop@gmail.com", ExternalRef = "crm-1815" })).Value!;
        await browser.App.Services.GetRequiredService<AddressService>().CreateAsync(system, alias.Id, new AddressInput
        {
            FirstName = "Ada", LastName = "King", Line1 = "12 St James's Square", City = "London", County = "Westminster", Postcode = "SW1Y 4JH", Country = "GB",
        });
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Duplicates" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/customers/duplicates$"));
        await page.GetByTestId("duplicates-scan").ClickAsync();
        var row = page.GetByTestId("duplicate-row").Filter(new() { HasText = "Augusta Ada King" });
        await Assertions.Expect(row).ToContainTextAsync("Same email once dots and +tags are ignored");
        await Assertions.Expect(row).ToContainTextAsync("Ada Lovelace");
        await page.ShotAsync("68-duplicates");

        await row.GetByTestId("duplicate-merge").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.GetByTestId("merge-moves")).ToBeVisibleAsync();
        // Ada Lovelace stays, with her name and email; the reference comes from the other account (she has none).
        await dialog.GetByTestId("merge-survivor").GetByText("ada.lovelace@gmail.com").ClickAsync();
        await Assertions.Expect(dialog.GetByTestId("merge-moves")).ToContainTextAsync("1 address");
        await page.ShotAsync("69-merge-dialog");
        await dialog.GetByTestId("merge-confirm").ClickAsync();
        await Assertions.Expect(page.GetByText("Merged Augusta Ada King into Ada Lovelace")).ToBeVisibleAsync();

        var merged = (await customers.GetAsync(system, ada.Id))!;
        Assert.Equal(("Ada Lovelace", "ada.lovelace@gmail.com", "crm-1815"), (merged.Name, merged.Email, merged.ExternalRef));
        Assert.Null(await customers.GetAsync(system, alias.Id));
        await Assertions.Expect(page.GetByTestId("merges-table")).ToContainTextAsync("Augusta Ada King");

        await page.GetByTestId("merge-undo").First.ClickAsync();
        await Assertions.Expect(page.GetByText("Augusta Ada King is back")).ToBeVisibleAsync();
        var back = (await customers.GetAsync(system, alias.Id))!;
        Assert.Equal(("Augusta Ada King", "adalovelace+shop@gmail.com", "crm-1815"), (back.Name, back.Email, back.ExternalRef));
        Assert.Null((await customers.GetAsync(system, ada.Id))!.ExternalRef);
        await Assertions.Expect(page.GetByTestId("merges-table")).ToContainTextAsync("Undone by");
    }

    [Fact]
    public async Task Merging_an_attackers_registration_with_the_owners_provider_sign_in_with_the_defaults_locks_the_attacker_out()
    {
        // The attacker registered the owner's email with a password; the owner later signed in through a provider, which
        // (policy allowed) made a second customer with the same email.
        var email = $"owner.{Guid.NewGuid():N}@example.com";
        const string attackersPassword = "the attacker's password 1";
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        var system = Access.SystemAdmin("e2e");
        var attacker = (await customers.CreateAsync(system, new CustomerInput { Name = "Owner Person", Email = email, Password = attackersPassword })).Value!;
        var ownerId = Guid.NewGuid();
        var db = await browser.App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await using (db)
        {
            var profile = new CommerceManager.CustomerSignIn.OidcProfile
            {
                Id = Guid.NewGuid(), Name = "Provider", DiscoveryUrl = "https://id.example/.well-known/openid-configuration", ClientId = "store",
                ProtectedClientSecret = "x", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            var owner = new Customer { Id = ownerId, EmailShared = true, CreatedAt = DateTime.UtcNow.AddMinutes(1), UpdatedAt = DateTime.UtcNow, Version = Guid.NewGuid() };
            owner.SetName("Owner Person");
            owner.SetEmail(email);
            db.AddRange(profile, owner, new CommerceManager.CustomerSignIn.CustomerLogin
            {
                Id = Guid.NewGuid(), CustomerId = ownerId, ProfileId = profile.Id, Subject = $"owner-{ownerId:N}", Email = email,
                CreatedAt = DateTime.UtcNow, LastSignInAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        using var api = new HttpClient { BaseAddress = new Uri(browser.App.BaseUrl) };
        async Task<System.Net.HttpStatusCode> AttackerSignsInAsync()
        {
            var implicitToken = await api.PostAsync("/oauth/access_token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "implicit", ["client_id"] = KestrelApp.ApiClientId,
            }));
            var token = System.Text.Json.Nodes.JsonNode.Parse(await implicitToken.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/customers/tokens")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { data = new { type = "token", email, password = attackersPassword } }),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return (await api.SendAsync(request)).StatusCode;
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, await AttackerSignsInAsync());
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        await page.GotoAsync("customers/duplicates");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("duplicates-scan").ClickAsync();
        var row = page.GetByTestId("duplicate-row").Filter(new() { HasText = email });
        await row.GetByTestId("duplicate-merge").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.GetByTestId("merge-takeover-warning")).ToContainTextAsync("created by a sign-in through a provider");
        await Assertions.Expect(dialog.GetByTestId("merge-moves")).ToContainTextAsync("The password is removed");
        await page.ShotAsync("72-merge-takeover-warning");
        // The defaults, as a hurried representative would leave them.
        await dialog.GetByTestId("merge-confirm").ClickAsync();
        await Assertions.Expect(page.GetByText("Merged Owner Person into Owner Person")).ToBeVisibleAsync();

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await AttackerSignsInAsync());
        Assert.NotNull(await customers.GetAsync(system, ownerId));
        Assert.Null(await customers.GetAsync(system, attacker.Id));
    }

    [Fact]
    public async Task Customers_move_over_from_another_stores_api_with_the_progress_bar_reaching_the_end()
    {
        await using var source = new KestrelApp { Settings = new Dictionary<string, string?> { ["Seed:DemoCustomers"] = "20" } };
        source.Start();
        var system = Access.SystemAdmin("e2e");
        var sourceCustomers = source.Services.GetRequiredService<CustomerService>();
        var first = Guid.Empty;
        for (var i = 1; i <= 5; i++)
        {
            var moved = (await sourceCustomers.CreateAsync(system, new CustomerInput
            {
                Name = $"Moving Customer {i}", Email = $"moving{i}@elsewhere.example", Password = i == 1 ? "a long password 1" : null,
            })).Value!;
            first = first == Guid.Empty ? moved.Id : first;
            await source.Services.GetRequiredService<AddressService>().CreateAsync(system, moved.Id, new AddressInput
            {
                FirstName = "Moving", LastName = $"Customer {i}", Line1 = $"{i} Harbour Road", City = "Leith", County = "Edinburgh", Postcode = "EH6 6AA", Country = "GB",
            });
        }
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Import from Elastic Path" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings/import-elastic-path$"));
        await page.GetByTestId("ep-url").FillAsync(source.BaseUrl);
        await page.GetByTestId("ep-client-id").FillAsync(KestrelApp.ApiClientId);
        await page.GetByTestId("ep-client-secret").FillAsync("not the secret");
        await page.GetByTestId("ep-check").ClickAsync();
        await Assertions.Expect(page.GetByTestId("ep-problem")).ToContainTextAsync("refused the client id and secret");
        await page.GetByTestId("ep-client-secret").FillAsync(KestrelApp.ApiClientSecret);
        await page.GetByTestId("ep-check").ClickAsync();
        await Assertions.Expect(page.GetByTestId("ep-summary")).ToContainTextAsync("Connected: 25 customers");
        await page.ShotAsync("70-import-elastic-path");

        await Assertions.Expect(page.GetByTestId("ep-start")).ToBeEnabledAsync();
        await page.GetByTestId("ep-start").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/customers/import/[0-9a-f-]{36}$"), new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("import-state")).ToHaveTextAsync("done", new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("import-progress")).ToContainTextAsync("25 of 25 customers (100%)");
        // The demo customers are the same people here (the demo data is generated the same way): skipped, not doubled.
        await Assertions.Expect(page.GetByTestId("import-created")).ToHaveTextAsync("Created 5");
        await Assertions.Expect(page.GetByTestId("import-skipped")).ToHaveTextAsync("Skipped 20");
        await Assertions.Expect(page.GetByTestId("import-addresses")).ToHaveTextAsync("Addresses 5");
        await Assertions.Expect(page.GetByTestId("import-passwords")).ToContainTextAsync("1 of the imported customers had a password");
        await page.ShotAsync("71-import-elastic-path-done");

        var here = browser.App.Services.GetRequiredService<CustomerService>();
        var arrived = (await here.GetAsync(system, first))!; // the same id as there
        Assert.Equal(("Moving Customer 1", "moving1@elsewhere.example", false), (arrived.Name, arrived.Email, arrived.HasPassword));
    }
}
