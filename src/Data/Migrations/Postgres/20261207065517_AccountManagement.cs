using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AccountManagement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "AccountId",
                table: "Orders",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AccountMemberId",
                table: "Orders",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Realm",
                table: "OidcProfiles",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Customers");

            migrationBuilder.AddColumn<string>(
                name: "Realm",
                table: "OidcLoginRequests",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Customers");

            migrationBuilder.AddColumn<string>(
                name: "Realm",
                table: "OidcIssuedCodes",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Customers");

            migrationBuilder.AddColumn<Guid>(
                name: "AccountId",
                table: "Carts",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Description",
                table: "Carts",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<string>(
                name: "Name",
                table: "Carts",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true,
                collation: "C");

            migrationBuilder.CreateTable(
                name: "AccountMembers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    NormalizedName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false, collation: "C"),
                    NormalizedEmail = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMembers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Accounts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    NormalizedName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    LegalName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    NormalizedLegalName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    RegistrationId = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: true, collation: "C"),
                    ExternalRef = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true, collation: "C"),
                    ParentId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Accounts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Accounts_Accounts_ParentId",
                        column: x => x.ParentId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AccountTags",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    NormalizedName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountTags", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PasswordProfiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    UsernameFormat = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false, collation: "C"),
                    EnableOneTimePasswordToken = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PasswordProfiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AccountMemberLogins",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    Subject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastSignInAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMemberLogins", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountMemberLogins_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountMemberLogins_OidcProfiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "OidcProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountAddresses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    FirstName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    LastName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    CompanyName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Line1 = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Line2 = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    City = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Region = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Postcode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    County = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false, collation: "C"),
                    PhoneNumber = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true, collation: "C"),
                    Instructions = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountAddresses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountAddresses_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountMemberships",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMemberships", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountMemberships_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountMemberships_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountMemberTokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: false),
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    Mechanism = table.Column<string>(type: "character varying(48)", maxLength: 48, nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountMemberTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccountMemberTokens_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountMemberTokens_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccountTagLinks",
                columns: table => new
                {
                    AccountId = table.Column<Guid>(type: "uuid", nullable: false),
                    TagId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountTagLinks", x => new { x.AccountId, x.TagId });
                    table.ForeignKey(
                        name: "FK_AccountTagLinks_AccountTags_TagId",
                        column: x => x.TagId,
                        principalTable: "AccountTags",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccountTagLinks_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MemberPasswords",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: false),
                    PasswordProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    Username = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false, collation: "C"),
                    NormalizedUsername = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false, collation: "C"),
                    PasswordHash = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MemberPasswords", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MemberPasswords_AccountMembers_MemberId",
                        column: x => x.MemberId,
                        principalTable: "AccountMembers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_MemberPasswords_PasswordProfiles_PasswordProfileId",
                        column: x => x.PasswordProfileId,
                        principalTable: "PasswordProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_AccountId_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "AccountId", "CreatedAt", "Id" },
                filter: "\"AccountId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_AccountMemberId_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "AccountMemberId", "CreatedAt", "Id" },
                filter: "\"AccountMemberId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Carts_AccountId_UpdatedAt",
                table: "Carts",
                columns: new[] { "AccountId", "UpdatedAt" },
                filter: "\"AccountId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_AccountAddresses_AccountId_CreatedAt",
                table: "AccountAddresses",
                columns: new[] { "AccountId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberLogins_MemberId",
                table: "AccountMemberLogins",
                column: "MemberId");

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberLogins_ProfileId_Subject",
                table: "AccountMemberLogins",
                columns: new[] { "ProfileId", "Subject" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_CreatedAt_Id",
                table: "AccountMembers",
                columns: new[] { "CreatedAt", "Id" })
                .Annotation("Npgsql:IndexInclude", new[] { "NormalizedEmail", "NormalizedName" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_NormalizedEmail_Id",
                table: "AccountMembers",
                columns: new[] { "NormalizedEmail", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_NormalizedEmail_trgm",
                table: "AccountMembers",
                column: "NormalizedEmail")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_NormalizedName_Id",
                table: "AccountMembers",
                columns: new[] { "NormalizedName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMembers_NormalizedName_trgm",
                table: "AccountMembers",
                column: "NormalizedName")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberships_AccountId_CreatedAt_Id",
                table: "AccountMemberships",
                columns: new[] { "AccountId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberships_AccountId_MemberId",
                table: "AccountMemberships",
                columns: new[] { "AccountId", "MemberId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberships_MemberId_CreatedAt",
                table: "AccountMemberships",
                columns: new[] { "MemberId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberTokens_AccountId_MemberId",
                table: "AccountMemberTokens",
                columns: new[] { "AccountId", "MemberId" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountMemberTokens_MemberId_ExpiresAt",
                table: "AccountMemberTokens",
                columns: new[] { "MemberId", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_CreatedAt_Id",
                table: "Accounts",
                columns: new[] { "CreatedAt", "Id" })
                .Annotation("Npgsql:IndexInclude", new[] { "NormalizedName" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_ExternalRef",
                table: "Accounts",
                column: "ExternalRef",
                filter: "\"ExternalRef\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_NormalizedLegalName_Id",
                table: "Accounts",
                columns: new[] { "NormalizedLegalName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_NormalizedName_Id",
                table: "Accounts",
                columns: new[] { "NormalizedName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_NormalizedName_trgm",
                table: "Accounts",
                column: "NormalizedName")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_ParentId_CreatedAt_Id",
                table: "Accounts",
                columns: new[] { "ParentId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_RegistrationId",
                table: "Accounts",
                column: "RegistrationId",
                unique: true,
                filter: "\"RegistrationId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_UpdatedAt_Id",
                table: "Accounts",
                columns: new[] { "UpdatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountTagLinks_TagId_AccountId",
                table: "AccountTagLinks",
                columns: new[] { "TagId", "AccountId" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountTags_CreatedAt_Id",
                table: "AccountTags",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AccountTags_NormalizedName",
                table: "AccountTags",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MemberPasswords_MemberId_PasswordProfileId",
                table: "MemberPasswords",
                columns: new[] { "MemberId", "PasswordProfileId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MemberPasswords_PasswordProfileId_NormalizedUsername",
                table: "MemberPasswords",
                columns: new[] { "PasswordProfileId", "NormalizedUsername" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PasswordProfiles_CreatedAt",
                table: "PasswordProfiles",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountAddresses");

            migrationBuilder.DropTable(
                name: "AccountMemberLogins");

            migrationBuilder.DropTable(
                name: "AccountMemberships");

            migrationBuilder.DropTable(
                name: "AccountMemberTokens");

            migrationBuilder.DropTable(
                name: "AccountTagLinks");

            migrationBuilder.DropTable(
                name: "MemberPasswords");

            migrationBuilder.DropTable(
                name: "AccountTags");

            migrationBuilder.DropTable(
                name: "Accounts");

            migrationBuilder.DropTable(
                name: "AccountMembers");

            migrationBuilder.DropTable(
                name: "PasswordProfiles");

            migrationBuilder.DropIndex(
                name: "IX_Orders_AccountId_CreatedAt_Id",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_AccountMemberId_CreatedAt_Id",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Carts_AccountId_UpdatedAt",
                table: "Carts");

            migrationBuilder.DropColumn(
                name: "AccountId",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "AccountMemberId",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Realm",
                table: "OidcProfiles");

            migrationBuilder.DropColumn(
                name: "Realm",
                table: "OidcLoginRequests");

            migrationBuilder.DropColumn(
                name: "Realm",
                table: "OidcIssuedCodes");

            migrationBuilder.DropColumn(
                name: "AccountId",
                table: "Carts");

            migrationBuilder.DropColumn(
                name: "Description",
                table: "Carts");

            migrationBuilder.DropColumn(
                name: "Name",
                table: "Carts");
        }
    }
}
