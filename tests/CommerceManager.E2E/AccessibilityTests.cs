using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>
/// WCAG 2.1 A and AA on every console page and dialog, in the light and the dark theme: axe-core (npm, pinned in
/// tests/js/package.json) is injected into each page as a staff member sees it and any violation fails the test, with
/// the rule, the element and axe's explanation in the message.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly string AxeScript = Path.Combine(BrowserFixture.RepositoryRoot, "tests", "js", "node_modules", "axe-core", "axe.min.js");

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Every_console_page_and_dialog_has_no_WCAG_2_1_A_or_AA_violations(string scheme)
    {
        Assert.True(File.Exists(AxeScript), $"axe-core is missing at {AxeScript}: run ./test.sh (it runs npm ci in tests/js).");
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.App.BaseUrl,
            ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
            ReducedMotion = ReducedMotion.Reduce,
            // axe-core is injected as a script of the test's own: the console's Content-Security-Policy would refuse it.
            BypassCSP = true,
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var report = new StringBuilder();
        var scanned = new List<string>();

        async Task ScanAsync(string name)
        {
            // Let transitions (a dialog fading in, a tab's ink bar) finish: a half-faded text is not what anyone reads.
            // Endless ones (a spinner) never do, and are not text.
            await page.WaitForFunctionAsync("""
                () => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)
                """);
            if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            {
                await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxeScript });
            }
            var violations = await page.EvaluateAsync<JsonElement>("""
                async () => {
                  const result = await axe.run(document, {
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                    resultTypes: ['violations'],
                  });
                  return result.violations.map(v => ({
                    rule: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 160).replace(/\s+/g, ' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 300)),
                    count: v.nodes.length,
                  }));
                }
                """);
            scanned.Add(name);
            foreach (var violation in violations.EnumerateArray())
            {
                report.AppendLine($"[{scheme}] {name}: {violation.GetProperty("rule")} ({violation.GetProperty("impact")}, {violation.GetProperty("count")} elements) {violation.GetProperty("help")}");
                foreach (var node in violation.GetProperty("nodes").EnumerateArray())
                {
                    report.AppendLine($"      {node.GetString()}");
                }
            }
        }

        async Task OpenAsync(string url, ILocator ready)
        {
            await page.GotoAsync(url);
            await page.WaitForCircuitAsync();
            await Assertions.Expect(ready).ToBeVisibleAsync();
        }

        async Task CloseDialogAsync()
        {
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(Cancel|Close)$") }).First.ClickAsync();
            await Assertions.Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        }

        // Signed out.
        await page.GotoAsync("Account/Login");
        await Assertions.Expect(page.GetByLabel("Email")).ToBeVisibleAsync();
        await ScanAsync("sign-in");
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        // Customers: the list, with the hand-written filter open and a filter applied.
        await Assertions.Expect(page.GetByTestId("customer-table").Locator("tbody tr").First).ToBeVisibleAsync();
        await ScanAsync("customers");
        await page.GetByLabel("Edit the API filter").ClickAsync();
        await Assertions.Expect(page.GetByTestId("filter-editor")).ToBeVisibleAsync();
        await ScanAsync("customers, filter editor open");
        await page.GetByTestId("customer-table").Locator("tbody tr").First.Locator("input[type=checkbox]").CheckAsync();
        await Assertions.Expect(page.GetByTestId("bulk-delete")).ToBeVisibleAsync();
        await ScanAsync("customers, a row ticked");

        var customerHref = await page.GetByTestId("customer-table").Locator("tbody tr a").First.GetAttributeAsync("href");
        await OpenAsync(customerHref!, page.GetByTestId("delete-customer"));
        await ScanAsync("customer details");
        await page.GetByTestId("set-password").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("set password dialog");
        await CloseDialogAsync();
        await page.GetByTestId("delete-customer").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("delete confirmation");
        await CloseDialogAsync();
        await OpenAsync(customerHref + "?tab=addresses", page.GetByTestId("add-address"));
        await ScanAsync("customer addresses");
        await page.GetByTestId("add-address").ClickAsync();
        await Assertions.Expect(page.GetByTestId("address-form")).ToBeVisibleAsync();
        await ScanAsync("address dialog");
        await CloseDialogAsync();
        await OpenAsync(customerHref + "?tab=orders", page.GetByRole(AriaRole.Tab, new() { Name = "Orders" }));
        await ScanAsync("customer orders");
        await OpenAsync(customerHref + "?tab=history", page.GetByTestId("history-kind"));
        await ScanAsync("customer history");
        await page.GetByRole(AriaRole.Button, new() { Name = "Personal data: download or erase" }).ClickAsync();
        await page.GetByText("Erase personal data…").ClickAsync();
        await Assertions.Expect(page.GetByTestId("erase-confirm")).ToBeVisibleAsync();
        await ScanAsync("erase personal data dialog");
        await CloseDialogAsync();
        await OpenAsync("activity", page.GetByRole(AriaRole.Heading, new() { Name = "Activity" }));
        await ScanAsync("activity");
        await OpenAsync("", page.GetByTestId("dashboard-kpis"));
        await ScanAsync("home");

        await OpenAsync("customers/new", page.GetByRole(AriaRole.Heading, new() { Name = "New customer" }));
        await ScanAsync("new customer");
        await OpenAsync("customers/import", page.GetByRole(AriaRole.Heading).First);
        await ScanAsync("import customers");
        await OpenAsync("customers/duplicates", page.GetByRole(AriaRole.Heading).First);
        await ScanAsync("duplicates");
        await OpenAsync("exports", page.GetByRole(AriaRole.Heading).First);
        await ScanAsync("exports");

        await OpenAsync("orders", page.GetByTestId("orders-table").Locator("tbody tr").First);
        await ScanAsync("orders");
        var orderHref = await page.GetByTestId("orders-table").Locator("tbody tr a").First.GetAttributeAsync("href");
        await OpenAsync(orderHref!, page.GetByRole(AriaRole.Heading).First);
        await ScanAsync("order");

        await OpenAsync("settings/staff", page.GetByTestId("add-staff"));
        await ScanAsync("staff");
        await page.GetByTestId("add-staff").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("add staff dialog");
        await CloseDialogAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("reset staff password dialog");
        await CloseDialogAsync();

        await OpenAsync("settings/api-keys", page.GetByTestId("create-key"));
        await ScanAsync("API keys");
        await page.GetByTestId("create-key").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("create API key dialog");
        await CloseDialogAsync();

        await OpenAsync("settings/custom-fields", page.Locator("[data-testid^=add-field-]").First);
        await ScanAsync("custom fields");
        await page.Locator("[data-testid^=add-field-]:not([disabled])").First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("field dialog");
        await CloseDialogAsync();

        await OpenAsync("settings/sign-in", page.GetByTestId("add-provider"));
        await ScanAsync("customer sign-in");
        await page.GetByTestId("add-provider").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("provider dialog");
        await CloseDialogAsync();

        await OpenAsync("accounts", page.GetByTestId("accounts-table").Locator("tbody tr").First);
        await ScanAsync("accounts");
        await OpenAsync("accounts/move?password=set", page.GetByTestId("move-preview"));
        await ScanAsync("move customers to accounts");
        await OpenAsync("accounts", page.GetByTestId("accounts-table").Locator("tbody tr").First);
        await page.GetByTestId("add-account").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("add account dialog");
        await CloseDialogAsync();
        var accountHref = await page.GetByTestId("account-link").First.GetAttributeAsync("href");
        await OpenAsync("accounts?tab=users", page.GetByTestId("users-table").Locator("tbody tr").First);
        await ScanAsync("account users");
        await OpenAsync(accountHref!, page.GetByTestId("account-title"));
        await ScanAsync("account overview");
        await OpenAsync(accountHref + "?tab=members", page.GetByTestId("create-account-member"));
        await ScanAsync("account members");
        await page.GetByTestId("create-account-member").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("create account member dialog");
        await CloseDialogAsync();
        await OpenAsync(accountHref + "?tab=addresses", page.GetByTestId("add-account-address"));
        await ScanAsync("account address book");
        await OpenAsync(accountHref + "?tab=orders", page.GetByTestId("orders-table"));
        await ScanAsync("account purchase history");
        var memberHref = await page.GotoAsync("accounts?tab=users") is not null
            ? await page.GetByTestId("users-table").Locator("tbody tr a").First.GetAttributeAsync("href") : null;
        await OpenAsync(memberHref!, page.GetByTestId("member-title"));
        await ScanAsync("account member");
        await OpenAsync("settings/account-sign-in", page.GetByTestId("account-auth-settings"));
        await ScanAsync("account sign-in");
        await OpenAsync("settings/payments", page.GetByTestId("manual-gateway"));
        await ScanAsync("payments");
        await OpenAsync("settings/webhooks", page.GetByTestId("add-webhook"));
        await ScanAsync("webhooks");
        await page.GetByTestId("add-webhook").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-dialog")).ToBeVisibleAsync();
        await ScanAsync("webhook dialog");
        await CloseDialogAsync();

        await OpenAsync("settings/backups", page.GetByRole(AriaRole.Heading).First);
        await ScanAsync("backups");
        await OpenAsync("settings/import-elastic-path", page.GetByRole(AriaRole.Heading).First);
        await ScanAsync("import from Elastic Path");
        await page.GotoAsync("Account/ChangePassword");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading).First).ToBeVisibleAsync();
        await ScanAsync("change password");

        await context.CloseAsync();
        Assert.True(report.Length == 0, $"axe-core found WCAG 2.1 A/AA violations ({scanned.Count} pages and dialogs scanned):\n{report}");
    }
}
