using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

public sealed class CustomFieldsJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_admin_designs_two_fields_sets_them_on_a_customer_and_the_API_returns_them()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("settings/custom-fields");
        await page.WaitForCircuitAsync();

        // Loyalty tier: an enum with a default (the store already has customers, so a required field needs one).
        await page.GetByTestId("add-field-customers").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#field-name").FillAsync("Loyalty tier");
        await Assertions.Expect(dialog.Locator("#field-slug")).ToHaveValueAsync("loyalty_tier");
        foreach (var option in new[] { "Bronze", "Silver", "Gold" })
        {
            await dialog.Locator("#field-option").FillAsync(option);
            await dialog.GetByTestId("add-option").ClickAsync();
        }
        await Assertions.Expect(dialog.GetByTestId("field-options")).ToContainTextAsync("Gold");
        await dialog.GetByLabel("Required", new() { Exact = true }).CheckAsync();
        await dialog.GetByTestId("save-field").ClickAsync();
        await Assertions.Expect(dialog.GetByTestId("field-required-error")).ToContainTextAsync("needs a default");
        await dialog.GetByTestId("field-preview").ScrollIntoViewIfNeededAsync();
        await dialog.Locator("[data-testid=custom-default]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Bronze" }).ClickAsync();
        await page.ShotAsync("30-field-dialog");
        await dialog.GetByTestId("save-field").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        // Date of birth: an optional date.
        await page.GetByTestId("add-field-customers").ClickAsync();
        dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("#field-name").FillAsync("Date of birth");
        await dialog.GetByTestId("field-type").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "date" }).ClickAsync();
        await dialog.GetByTestId("save-field").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("fields-customers")).ToContainTextAsync("date_of_birth");
        await Assertions.Expect(page.GetByTestId("form-preview")).ToContainTextAsync("Loyalty tier");
        await page.ShotAsync("31-custom-fields-designer");

        // A customer gets both.
        await page.GotoAsync("customers");
        await page.WaitForCircuitAsync();
        await page.Locator("[data-testid=customer-table] tbody tr").First.GetByRole(AriaRole.Link).ClickAsync();
        await page.ExpectUrlAsync("**/customers/*");
        await page.WaitForCircuitAsync();
        var customerId = (await page.GetByTestId("customer-id").TextContentAsync())!.Trim();
        await page.GetByTestId("custom-loyalty_tier").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Gold" }).ClickAsync();
        await page.GetByLabel("Date of birth").FillAsync("1990-04-15");
        await page.GetByLabel("Date of birth").PressAsync("Tab");
        await page.GetByTestId("save-customer").ClickAsync();
        await Assertions.Expect(page.GetByText("Changes saved.")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("custom-loyalty_tier")).ToContainTextAsync("Gold");
        await Assertions.Expect(page.GetByLabel("Date of birth")).ToHaveValueAsync("1990-04-15");
        await page.ShotAsync("32-customer-with-custom-fields");

        // The list can show them as columns.
        await page.GotoAsync("customers?cols=loyalty_tier,date_of_birth&filter=eq(id," + customerId + ")");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("cell-loyalty_tier").First).ToHaveTextAsync("Gold");
        await Assertions.Expect(page.GetByTestId("cell-date_of_birth").First).ToHaveTextAsync("1990-04-15");

        // And the API returns them as attributes.
        using var http = new HttpClient { BaseAddress = new Uri(browser.App.BaseUrl) };
        var token = await (await http.PostAsync("oauth/access_token", new StringContent(
            $"grant_type=client_credentials&client_id={KestrelApp.ApiClientId}&client_secret={KestrelApp.ApiClientSecret}", Encoding.UTF8, "application/x-www-form-urlencoded")))
            .Content.ReadFromJsonAsync<JsonObject>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!["access_token"]!.GetValue<string>());
        var customer = await http.GetFromJsonAsync<JsonObject>($"v2/customers/{customerId}");
        Assert.Equal("Gold", customer!["data"]!["loyalty_tier"]!.GetValue<string>());
        Assert.Equal("1990-04-15", customer["data"]!["date_of_birth"]!.GetValue<string>());
    }
}
