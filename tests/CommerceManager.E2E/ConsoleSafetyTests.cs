using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>
/// Work is never lost and the screen never shows a state that isn't true: each test types and presses keys as a
/// person does (keyboard, not only <c>fill</c>).
/// </summary>
public sealed class ConsoleSafetyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task<IPage> AdminAsync()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        return page;
    }

    private async Task<CustomerDto> NewCustomerAsync(string name)
    {
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        var email = $"{Guid.NewGuid():N}@safety.example";
        return (await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput { Name = name, Email = email })).Value!;
    }

    private static async Task ReplaceTextAsync(ILocator input, string text)
    {
        await input.ClickAsync();
        await input.PressAsync("Control+A");
        await input.PressAsync("Backspace");
        await input.PressSequentiallyAsync(text);
    }

    [Fact]
    public async Task Unsaved_customer_edits_survive_tab_switches_and_leaving_asks_first()
    {
        var customer = await NewCustomerAsync("Grace Hopper");
        var page = await AdminAsync();
        await page.GotoAsync($"customers/{customer.Id}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("no-changes")).ToBeVisibleAsync();

        await ReplaceTextAsync(page.Locator("#customer-name"), "Grace Brewster Hopper");
        await page.Locator("#customer-name").PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("save-bar")).ToBeVisibleAsync();

        // Addresses and back: the draft is still there.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Addresses" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("add-address")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Details" }).ClickAsync();
        await Assertions.Expect(page.Locator("#customer-name")).ToHaveValueAsync("Grace Brewster Hopper");

        // Leaving asks; "Keep editing" stays with the draft.
        await page.GetByRole(AriaRole.Link, new() { Name = "Orders" }).First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Discard changes?");
        await page.ShotAsync("40-discard-changes");
        await dialog.GetByTestId("confirm-cancel").ClickAsync();
        Assert.EndsWith($"customers/{customer.Id}", page.Url);
        await Assertions.Expect(page.Locator("#customer-name")).ToHaveValueAsync("Grace Brewster Hopper");

        // Discard from the save bar puts back what is stored; then leaving asks nothing.
        await page.GetByTestId("discard-changes").ClickAsync();
        await Assertions.Expect(page.Locator("#customer-name")).ToHaveValueAsync("Grace Hopper");
        await Assertions.Expect(page.GetByTestId("save-bar")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Orders" }).First.ClickAsync();
        await page.ExpectUrlAsync("**/orders");
    }

    [Fact]
    public async Task A_conflict_warning_stays_with_its_page_and_is_gone_after_leaving()
    {
        var customer = await NewCustomerAsync("Katherine Johnson");
        var page = await AdminAsync();
        await page.GotoAsync($"customers/{customer.Id}");
        await page.WaitForCircuitAsync();
        await ReplaceTextAsync(page.Locator("#customer-name"), "Katherine G. Johnson");

        // Someone else saves first.
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        await customers.UpdateAsync(Access.SystemAdmin("e2e"), customer.Id, new CustomerInput { Name = "K. Johnson", Email = customer.Email }, null);

        await page.GetByTestId("save-customer").ClickAsync();
        await Assertions.Expect(page.GetByTestId("conflict-alert")).ToBeVisibleAsync();
        var toast = page.Locator(".mud-snackbar").Filter(new() { HasText = "someone else changed this customer" });
        await Assertions.Expect(toast).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Orders" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByTestId("confirm-ok").ClickAsync();
        await page.ExpectUrlAsync("**/orders");
        await Assertions.Expect(toast).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_address_dialog_opens_on_first_name_and_esc_closes_only_the_suggestions()
    {
        var customer = await NewCustomerAsync("Mary Jackson");
        var page = await AdminAsync();
        await page.GotoAsync($"customers/{customer.Id}?tab=addresses");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("add-address").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(page.Locator("#address-first-name")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Mary");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Jackson");
        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);

        // The label's suggestions open on typing; Esc closes them, not the dialog.
        await page.Locator("#address-label").PressSequentiallyAsync("Ho");
        await page.ShotAsync("41-address-label-suggestions");
        await Assertions.Expect(page.Locator(".mud-popover-open")).Not.ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
        await Assertions.Expect(dialog).ToBeVisibleAsync();

        // A click on the backdrop does nothing; Esc on a dirty dialog asks before discarding.
        await page.Mouse.ClickAsync(5, 5);
        await Assertions.Expect(page.Locator("#address-first-name")).ToHaveValueAsync("Mary");
        await page.Locator("#address-line1").ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByText("Discard changes?")).ToBeVisibleAsync();
        await page.ShotAsync("41-address-discard");
        await page.GetByTestId("confirm-cancel").ClickAsync();
        await Assertions.Expect(page.Locator("#address-last-name")).ToHaveValueAsync("Jackson");
    }

    [Fact]
    public async Task Enter_adds_exactly_what_was_typed_as_allowed_values()
    {
        var page = await AdminAsync();
        await page.GotoAsync("settings/custom-fields");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("add-field-customers").ClickAsync();
        await page.Locator("#field-name").PressSequentiallyAsync("Colour");
        await page.Locator("#field-option").ClickAsync();
        foreach (var value in new[] { "Red", "Green", "Blue" })
        {
            await page.Keyboard.TypeAsync(value);
            await page.Keyboard.PressAsync("Enter");
        }
        var chips = page.GetByTestId("field-options").Locator(".mud-chip");
        await Assertions.Expect(chips).ToHaveTextAsync(["Red", "Green", "Blue"]);
        await Assertions.Expect(page.Locator("#field-option")).ToHaveValueAsync("");
        await page.ShotAsync("42-allowed-values");
    }

    [Fact]
    public async Task Enter_in_the_filter_editor_applies_the_typed_filter_and_a_bad_one_is_explained_in_place()
    {
        var page = await AdminAsync();
        await page.GotoAsync("customers?filter=like(name,*a*)");
        await page.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit the API filter" }).ClickAsync();
        var box = page.Locator("#filter-editor-input");
        await ReplaceTextAsync(box, "like(email,*@nowhere.example)");
        await box.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("api-filter")).ToHaveTextAsync("like(email,*@nowhere.example)");

        var url = page.Url;
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit the API filter" }).ClickAsync();
        await ReplaceTextAsync(box, "eq(nme,Ada)");
        await box.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#filter-editor-error, .mud-input-helper-text.mud-input-error").First).ToContainTextAsync("nme");
        Assert.Equal(url, page.Url);
        await Assertions.Expect(box).ToHaveValueAsync("eq(nme,Ada)");
        await page.ShotAsync("43-filter-error");
    }

    [Fact]
    public async Task Role_changes_to_admin_are_confirmed_and_a_refused_change_shows_the_saved_role()
    {
        var page = await AdminAsync();
        await page.GotoAsync("settings/staff");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("add-staff").ClickAsync();
        // The dialog puts the cursor in Name once it is ready; a person starts typing there.
        await Assertions.Expect(page.Locator("#staff-name")).ToBeFocusedAsync();
        await page.Locator("#staff-name").PressSequentiallyAsync("Vera Viewer");
        await page.Locator("#staff-email").PressSequentiallyAsync("vera@e2e.example");
        await page.GetByRole(AriaRole.Dialog).GetByLabel("Role").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Viewer" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
        await page.Locator("#staff-password").PressSequentiallyAsync("vera viewer password 1");
        await page.GetByTestId("save-staff").ClickAsync();
        var vera = page.Locator("tr").Filter(new() { HasText = "vera@e2e.example" });
        await Assertions.Expect(vera).ToContainTextAsync("Vera Viewer");
        await Assertions.Expect(vera).ToContainTextAsync("Never");

        // Viewer → Admin asks first; cancelling leaves Viewer on screen and in the store.
        await vera.GetByTestId("role-vera@e2e.example").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Admin" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Make vera@e2e.example an Admin?");
        await page.GetByTestId("confirm-cancel").ClickAsync();
        await Assertions.Expect(vera.Locator("input.mud-select-input, .mud-input-slot").First).ToHaveValueAsync("Viewer");
        var staff = browser.App.Services.GetRequiredService<CommerceManager.Staff.StaffService>();
        Assert.Equal("Viewer", (await staff.ListAsync(Access.SystemAdmin("e2e"))).Single(s => s.Email == "vera@e2e.example").Role);

        // The only admin can't demote themselves: the row says why and still shows Admin.
        var me = page.Locator("tr").Filter(new() { HasText = KestrelApp.AdminEmail });
        await Assertions.Expect(me).ToContainTextAsync("(you)");
        await me.GetByTestId($"role-{KestrelApp.AdminEmail}").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Viewer" }).ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(me).ToContainTextAsync("admin");
        await Assertions.Expect(me.Locator("input.mud-select-input, .mud-input-slot").First).ToHaveValueAsync("Admin");
        await page.ShotAsync("44-role-refused");
    }

    [Fact]
    public async Task Fulfilling_and_cancelling_an_order_ask_first_and_locked_actions_say_why()
    {
        var orders = browser.App.Services.GetRequiredService<OrderService>();
        var page1 = await orders.ListAsync(Access.SystemAdmin("e2e"), new OrderQuery("eq(payment,paid):eq(shipping,unfulfilled)", null, 0, 25));
        var order = page1.Items.First(o => o.Status != OrderStatus.Cancelled);
        var page = await AdminAsync();
        await page.GotoAsync($"orders/{order.Id}");
        await page.WaitForCircuitAsync();

        await page.GetByTestId("mark-fulfilled").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await page.GetByTestId("confirm-cancel").ClickAsync();
        Assert.Equal(ShippingStatus.Unfulfilled, (await orders.GetAsync(Access.SystemAdmin("e2e"), order.Id))!.Order.Shipping);

        await page.GetByTestId("mark-fulfilled").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("fulfil-locked")).ToContainTextAsync("Fulfilled");
        await Assertions.Expect(page.GetByTestId("cancel-locked")).ToContainTextAsync("cannot be cancelled");
        Assert.Equal(ShippingStatus.Fulfilled, (await orders.GetAsync(Access.SystemAdmin("e2e"), order.Id))!.Order.Shipping);
    }

    [Fact]
    public async Task Unknown_addresses_and_forbidden_pages_keep_the_console_around_them()
    {
        var page = await AdminAsync();
        await page.GotoAsync("no/such/page");
        await Assertions.Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Customers" }).First).ToBeVisibleAsync();
        await page.ShotAsync("45-not-found");

        var staff = browser.App.Services.GetRequiredService<CommerceManager.Staff.StaffService>();
        await staff.CreateAsync(Access.SystemAdmin("e2e"), new CommerceManager.Staff.StaffInput
        {
            DisplayName = "Rita Rep", Email = "rita@e2e.example", Role = Roles.Representative, Password = "rita rep password 12",
        });
        var rep = await browser.NewPageAsync();
        await rep.SignInAsync("rita@e2e.example", "rita rep password 12");
        await rep.GotoAsync("settings/api-keys");
        await Assertions.Expect(rep.GetByTestId("access-denied")).ToBeVisibleAsync();
        await Assertions.Expect(rep.GetByRole(AriaRole.Link, new() { Name = "Orders" }).First).ToBeVisibleAsync();
        await rep.ShotAsync("46-access-denied");
    }

    [Fact]
    public async Task Choosing_a_status_or_a_password_filter_applies_at_once()
    {
        var page = await AdminAsync();
        await page.GotoAsync("orders");
        await page.WaitForCircuitAsync();
        await page.GetByLabel("Status").First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "processing" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("orders-api-filter")).ToHaveTextAsync("eq(status,processing)");

        await page.GotoAsync("customers");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("password-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Set", Exact = true }).ClickAsync();
        await page.ExpectUrlAsync("**/customers?password=set");
    }

    [Fact]
    public async Task The_filters_shown_as_markup_until_used_take_typing_the_keyboard_and_the_calendar()
    {
        var page = await AdminAsync();
        await page.GotoAsync("customers");
        await page.WaitForCircuitAsync();

        // A date typed into "Created from" (no calendar, nothing swapped under the keys) and Enter: the list narrows.
        var from = page.GetByLabel("Created from");
        await from.ClickAsync();
        await from.PressSequentiallyAsync("2025-01-31");
        await from.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("api-filter")).ToHaveTextAsync("ge(created_at,2025-01-31)");

        // The calendar button brings the real date picker, open.
        await page.Locator(".mud-picker", new() { Has = page.GetByLabel("Created to") }).GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-picker-calendar-content, .mud-picker-calendar-container").First).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");

        // Keyboard: Tab passes "Search in" without swapping it (the focus never moves under the person); Enter on it puts
        // the real select there, open, with the focus.
        await page.GetByTestId("search-field").FocusAsync();
        await page.WaitForTimeoutAsync(300);
        await Assertions.Expect(page.GetByTestId("search-field")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".mud-select [data-testid=search-field]")).ToBeFocusedAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Email", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("search-field")).ToHaveTextAsync("Email");

        // The rows are markup heard through the table's body: a click on a plain cell opens that customer.
        await page.GotoAsync("customers");
        await page.WaitForCircuitAsync();
        var first = page.Locator("[data-testid=customer-table] tbody tr").First;
        var id = await first.GetAttributeAsync("data-row");
        await first.Locator("td[data-label=Email]").ClickAsync();
        await page.ExpectUrlAsync($"**/customers/{id}");
    }

    /// <summary>
    /// Typed, then Esc at once with the focus still in the box (nothing blurred, so the box has not handed its text over
    /// yet): every dialog that would lose the typing asks first, and Keep editing keeps it.
    /// </summary>
    [Theory]
    [InlineData("address", "add-address", "#address-first-name")]
    [InlineData("accounts", "add-account", "#account-name")]
    [InlineData("settings/custom-fields", "add-field-customers", "#field-description")]
    [InlineData("settings/staff", "add-staff", "#staff-name")]
    [InlineData("settings/api-keys", "create-key", "#key-name")]
    [InlineData("customers", "save-view", "#view-name")]
    public async Task Esc_right_after_typing_asks_before_the_typing_is_lost(string where, string open, string box)
    {
        var page = await AdminAsync();
        if (where == "address")
        {
            var customer = await NewCustomerAsync("Dorothy Vaughan");
            where = $"customers/{customer.Id}?tab=addresses";
        }
        await page.GotoAsync(where);
        await page.WaitForCircuitAsync();
        await page.GetByTestId(open).ClickAsync();
        var input = page.Locator(box);
        await input.ClickAsync();
        await page.Keyboard.TypeAsync("Escapade");
        await page.Keyboard.PressAsync("Escape");

        await Assertions.Expect(page.GetByText("Discard changes?")).ToBeVisibleAsync();
        // The focus starts on the safe choice: Enter now keeps the typing.
        await Assertions.Expect(page.GetByTestId("confirm-cancel")).ToBeFocusedAsync();
        await page.GetByTestId("confirm-cancel").ClickAsync();
        await Assertions.Expect(input).ToHaveValueAsync("Escapade");

        // Discard: the dialog goes.
        await input.ClickAsync();
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("s");
        await page.Keyboard.PressAsync("Escape");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(input).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_tab_never_hears_of_its_own_save_and_the_other_tab_does()
    {
        var customer = await NewCustomerAsync("Annie Easley");
        var a = await AdminAsync();
        var b = await a.Context.NewPageAsync();
        foreach (var tab in new[] { a, b })
        {
            await tab.GotoAsync($"customers/{customer.Id}?tab=details");
            await tab.WaitForCircuitAsync();
        }

        await ReplaceTextAsync(b.Locator("#customer-name"), "Annie J. Easley");
        await b.GetByTestId("save-customer").First.ClickAsync();
        await Assertions.Expect(b.Locator(".mud-snackbar").Filter(new() { HasText = "Changes saved" })).ToBeVisibleAsync();
        // Tab A (no draft) takes the change; both tabs have handled the same notice by the time A shows it.
        await Assertions.Expect(a.GetByTestId("customer-heading")).ToHaveTextAsync("Annie J. Easley");
        await Assertions.Expect(b.GetByTestId("no-changes")).ToBeVisibleAsync();
        await Assertions.Expect(b.GetByTestId("changed-elsewhere")).ToHaveCountAsync(0);
        await Assertions.Expect(b.Locator(".mud-snackbar").Filter(new() { HasText = "changed this customer just now" })).ToHaveCountAsync(0);

        // Tab A with a draft is warned of B's next save; B still is not.
        await ReplaceTextAsync(a.Locator("#customer-name"), "A draft in tab A");
        await ReplaceTextAsync(b.Locator("#customer-name"), "Annie Jean Easley");
        await b.GetByTestId("save-customer").First.ClickAsync();
        await Assertions.Expect(a.GetByTestId("changed-elsewhere")).ToBeVisibleAsync();
        await Assertions.Expect(b.GetByTestId("customer-heading")).ToHaveTextAsync("Annie Jean Easley");
        await Assertions.Expect(b.GetByTestId("changed-elsewhere")).ToHaveCountAsync(0);
        await b.ShotAsync("47-own-save-no-banner");
    }
}
