import { MigrationInterface, QueryRunner } from 'typeorm';

/** Event handlers (Conductor `/api/event`) and Rill Flow descriptors (versions and aliases). */
export class EventHandlersAndRillDescriptors1763900100000 implements MigrationInterface {
  name = 'EventHandlersAndRillDescriptors1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_handler (
        name        varchar(255)  PRIMARY KEY,
        event       varchar(1024) NOT NULL,
        active      boolean       NOT NULL,
        definition  jsonb         NOT NULL,
        create_time timestamptz   NOT NULL,
        update_time timestamptz   NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_event_handler_event ON event_handler (event, active)`);
    await q.query(`
      CREATE TABLE rill_descriptor (
        business_id  varchar(255) NOT NULL,
        feature_name varchar(255) NOT NULL,
        version      integer      NOT NULL CHECK (version >= 1),
        yaml         text         NOT NULL,
        dag          jsonb        NOT NULL,
        create_time  timestamptz  NOT NULL,
        PRIMARY KEY (business_id, feature_name, version)
      )`);
    await q.query(`
      CREATE TABLE rill_descriptor_alias (
        business_id  varchar(255) NOT NULL,
        feature_name varchar(255) NOT NULL,
        alias        varchar(255) NOT NULL,
        version      integer      NOT NULL,
        update_time  timestamptz  NOT NULL,
        PRIMARY KEY (business_id, feature_name, alias),
        FOREIGN KEY (business_id, feature_name, version) REFERENCES rill_descriptor (business_id, feature_name, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['rill_descriptor_alias', 'rill_descriptor', 'event_handler']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}
