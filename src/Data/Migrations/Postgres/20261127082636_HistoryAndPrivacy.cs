using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HistoryAndPrivacy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ChangeRecords",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: true),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    ResourceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    Action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    Subject = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true, collation: "C"),
                    ActorKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    ActorId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    ActorName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    Channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    Delta = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeRecords", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ErasureRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    ResourceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    StatusDescription = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false, collation: "C"),
                    InitiatorKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    InitiatorId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    InitiatorName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    Reference = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    OrdersAnonymized = table.Column<int>(type: "integer", nullable: false),
                    AddressesDeleted = table.Column<int>(type: "integer", nullable: false),
                    HistoryEntriesCleared = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ErasureRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "HistoryRetention",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Days = table.Column<int>(type: "integer", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HistoryRetention", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_ActorId_Id",
                table: "ChangeRecords",
                columns: new[] { "ActorId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_At",
                table: "ChangeRecords",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_CustomerId_Id",
                table: "ChangeRecords",
                columns: new[] { "CustomerId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_Kind_Id",
                table: "ChangeRecords",
                columns: new[] { "Kind", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRecords_ResourceType_ResourceId_Id",
                table: "ChangeRecords",
                columns: new[] { "ResourceType", "ResourceId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ErasureRequests_ResourceType_ResourceId_CreatedAt",
                table: "ErasureRequests",
                columns: new[] { "ResourceType", "ResourceId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChangeRecords");

            migrationBuilder.DropTable(
                name: "ErasureRequests");

            migrationBuilder.DropTable(
                name: "HistoryRetention");
        }
    }
}
