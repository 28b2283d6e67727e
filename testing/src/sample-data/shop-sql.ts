// The SQL that makes the shop's data (shop-data.ts says what it is and why): its tables, the generator
// functions (schema ww_gen, only while loading), and one batch's INSERT … SELECT generate_series.

/** Rows (max ids) of the shop's tables so far: where the next batch's ids start. */
export interface ShopCounts {
  customers: number;
  products: number;
  orders: number;
  events: number;
}

/** Customers in one batch at most: about 55 MB of database (customers, products, orders, events and indexes). */
export const BATCH_CUSTOMERS = 10_000;
/** Database bytes per customer (with its share of products, orders and events), before a batch has measured it. */
export const PRIOR_BYTES_PER_CUSTOMER = 5_600;

/** The generator's helper functions (pseudo-words with Zipf-like frequencies, prose), in schema ww_gen. */
export const GENERATOR_SQL = `
CREATE SCHEMA IF NOT EXISTS ww_gen;
-- Pseudo-word k (0..4607): three syllables picked by k's mixed-radix digits.
CREATE OR REPLACE FUNCTION ww_gen.word(k int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (ARRAY['ba','ce','di','fo','gu','ha','je','ki','lo','ma','ne','pi','qu','ra','se','ti','vo','wa','xe','yo','za','str','th','ch'])[1 + k % 24]
      || (ARRAY['an','el','in','or','us','ar','en','il','on','ur','ay','ey'])[1 + (k / 24) % 12]
      || (ARRAY['','','t','n','s','ck','ll','de','ro','mi','ta','ne','ly','ness','ment','tion'])[1 + (k / 288) % 16]
$$;
-- A word at a random rank: P(rank r) ∝ 1/r, as word frequencies in natural language; ranks are permuted over the vocabulary.
CREATE OR REPLACE FUNCTION ww_gen.rword() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT ww_gen.word(((floor(exp(random() * 8.4355))::int - 1) * 1663) % 4608)
$$;
-- n words separated by spaces, with a comma after some when commas.
CREATE OR REPLACE FUNCTION ww_gen.words(n int, commas boolean DEFAULT true) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE s text := '';
BEGIN
  FOR j IN 1..n LOOP
    IF j > 1 THEN s := s || ' '; END IF;
    s := s || ww_gen.word(((floor(exp(random() * 8.4355))::int - 1) * 1663) % 4608);
    IF commas AND j < n AND random() < 0.07 THEN s := s || ','; END IF;
  END LOOP;
  RETURN s;
END $$;
-- A paragraph of n sentences of 4–18 words, capitalised, ending in . (or ? or !).
CREATE OR REPLACE FUNCTION ww_gen.prose(n int) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE s text := ''; w text; r float8;
BEGIN
  FOR j IN 1..n LOOP
    w := ww_gen.words(4 + floor(random() * 15)::int);
    r := random();
    IF j > 1 THEN s := s || ' '; END IF;
    s := s || upper(left(w, 1)) || substr(w, 2) || CASE WHEN r < 0.9 THEN '.' WHEN r < 0.97 THEN '?' ELSE '!' END;
  END LOOP;
  RETURN s;
END $$;
`;

/** The shop's tables and indexes (IF NOT EXISTS: loading again grows them). */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS public.customers (
  id bigint PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text NOT NULL,
  phone text,
  street text,
  city text,
  postal_code text,
  country char(2) NOT NULL,
  tier text NOT NULL,
  marketing_opt_in boolean NOT NULL,
  notes text,
  created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_email ON public.customers (email);
CREATE TABLE IF NOT EXISTS public.products (
  id bigint PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL,
  price numeric(12,2) NOT NULL,
  weight_grams integer NOT NULL,
  attributes jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS public.orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  status text NOT NULL,
  placed_at timestamptz NOT NULL,
  shipped_at timestamptz,
  currency char(3) NOT NULL,
  total numeric(12,2) NOT NULL,
  coupon text,
  shipping_address text NOT NULL,
  items jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_customer ON public.orders (customer_id);
CREATE INDEX IF NOT EXISTS orders_placed_at ON public.orders (placed_at);
CREATE TABLE IF NOT EXISTS public.events (
  id bigint PRIMARY KEY,
  event_id uuid NOT NULL,
  customer_id bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  kind text NOT NULL,
  ip inet,
  user_agent text,
  session_id text NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS events_customer_time ON public.events (customer_id, occurred_at);
`;

const FIRST_NAMES = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Amelia",
  "Oliver",
  "Ava",
  "Elijah",
  "Sophia",
  "James",
  "Isabella",
  "William",
  "Mia",
  "Benjamin",
  "Charlotte",
  "Lucas",
  "Harper",
  "Henry",
  "Evelyn",
  "Theodore",
  "Luna",
  "Jack",
  "Camila",
  "Levi",
  "Gianna",
  "Alexander",
  "Elizabeth",
  "Jackson",
  "Eleanor",
  "Mateo",
  "Ella",
  "Daniel",
  "Abigail",
  "Michael",
  "Sofia",
  "Mason",
  "Avery",
  "Sebastian",
  "Scarlett",
  "Ethan",
  "Emily",
  "Logan",
  "Aria",
  "Owen",
  "Penelope",
  "Samuel",
  "Chloe",
  "Jacob",
  "Layla",
  "Asher",
  "Mila",
  "Aiden",
  "Nora",
  "John",
  "Hazel",
  "Joseph",
  "Madison",
  "Wyatt",
  "Ellie",
  "David",
  "Lily",
  "Leo",
  "Nova",
  "Luke",
  "Isla",
  "Julian",
  "Grace",
  "Hudson",
  "Violet",
  "Grayson",
  "Aurora",
  "Matthew",
  "Riley",
  "Ezra",
  "Zoey",
  "Gabriel",
  "Willow",
  "Carter",
  "Emilia",
  "Isaac",
  "Stella",
  "Jayden",
  "Zoe",
  "Luca",
  "Victoria",
  "Anthony",
  "Hannah",
  "Dylan",
  "Addison",
  "Lincoln",
  "Leah",
  "Thomas",
  "Lucy",
  "Maverick",
  "Eliana",
  "Elias",
  "Ivy",
  "Josiah",
  "Everly",
  "Charles",
  "Lillian",
  "Caleb",
  "Paisley",
  "Christopher",
  "Elena",
  "Ezekiel",
  "Naomi",
  "Miles",
  "Maya",
  "Jaxon",
  "Natalie",
  "Isaiah",
  "Kinsley",
  "Andrew",
  "Delilah",
  "Joshua",
  "Claire",
  "Nathan",
  "Audrey",
  "Nolan",
  "Aaliyah",
  "Adrian",
  "Ruby",
  "Cameron",
  "Brooklyn",
  "Santiago",
  "Alice",
  "Eli",
  "Aubrey",
  "Aaron",
  "Autumn",
  "Ryan",
  "Leilani",
  "Angel",
  "Savannah",
  "Cooper",
  "Valentina",
  "Waylon",
  "Kennedy",
  "Easton",
  "Madelyn",
  "Kai",
  "Josephine",
  "Christian",
  "Bella",
  "Landon",
  "Skylar",
  "Colton",
  "Genesis",
  "Roman",
  "Sadie",
  "Axel",
  "Quinn",
  "Brooks",
  "Nevaeh",
  "Jonathan",
  "Caroline",
  "Robert",
  "Allison",
  "Jameson",
  "Gabriella",
  "Ian",
  "Anna",
  "Everett",
  "Serenity",
  "Greyson",
  "Samantha",
  "Wesley",
  "Ariana",
  "Jeremiah",
  "Emery",
  "Hunter",
  "Jade",
  "Leonardo",
  "Cora",
  "Jordan",
  "Kaylee",
  "Jose",
  "Athena",
  "Bennett",
  "Sarah",
  "Silas",
  "Ximena",
  "Nicholas",
  "Sophie",
  "Parker",
  "Mariana",
  "Beau",
  "Lydia",
  "Weston",
  "Raelynn",
  "Austin",
  "Kimberly",
  "Connor",
  "Clara",
  "Carson",
  "Piper",
  "Dominic",
  "Vivian",
  "Xavier",
  "Rylee",
  "Jaxson",
  "Adeline",
];
const USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
  "okhttp/4.12.0",
  "ShopApp/3.18.2 (iOS 17.4.1; iPhone15,2)",
  "ShopApp/3.17.0 (Android 13; SM-S911B)",
  "curl/8.5.0",
];

/** A SQL text[] literal of `words` (plain ASCII here, quotes doubled anyway). */
const textArray = (words: string[]) => `ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(",")}]`;
/** A random element of a SQL array literal. */
const pick = (arraySql: string, n: number) => `(${arraySql})[1 + floor(random() * ${n})::int]`;

/** The INSERTs of one batch: customers [c0, c0 + n), their products, orders and events. */
export function batchSql(c0: number, n: number, counts: ShopCounts): { sql: string } {
  const c1 = c0 + n - 1;
  const p0 = counts.products + 1;
  const p1 = counts.products + Math.ceil(n / 20);
  const o0 = counts.orders + 1;
  const o1 = counts.orders + 3 * n;
  const e0 = counts.events + 1;
  const e1 = counts.events + 8 * n;
  const firstNames = textArray(FIRST_NAMES);
  const agents = textArray(USER_AGENTS);
  // setseed takes [-1, 1]: derive it from the batch's first customer id.
  const seed = ((c0 * 7919) % 1_000_003) / 1_000_003;
  return {
    sql: `
SELECT setseed(${seed});
INSERT INTO public.customers (id, first_name, last_name, email, phone, street, city, postal_code, country, tier, marketing_opt_in, notes, created_at)
SELECT i, fn, ln,
  lower(fn) || CASE WHEN r < 0.5 THEN '.' ELSE '_' END || lower(ln) || CASE WHEN r < 0.6 THEN (i % 997)::text ELSE '' END || '@'
    || CASE WHEN r < 0.45 THEN ${pick(textArray(["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", "hotmail.com"]), 6)}
            ELSE ww_gen.rword() || ${pick(textArray([".com", ".io", ".net", ".org", ".co.uk", ".de", ".fr"]), 7)} END,
  '+' || (1 + floor(random() * 98))::int || ' ' || lpad(floor(random() * 1e9)::bigint::text, 9, '0'),
  (1 + floor(random() * 9999))::int || ' ' || initcap(ww_gen.rword()) || ' ' || ${pick(textArray(["Street", "Avenue", "Road", "Lane", "Way", "Boulevard", "Place", "Court", "Drive", "Terrace"]), 10)},
  initcap(ww_gen.word(floor(random() * 900)::int * 5 % 4608)) || ${pick(textArray(["", "", "", " City", "ville", "burg", " Springs", "ton", " Heights"]), 9)},
  lpad(floor(random() * 99999)::int::text, 5, '0'),
  ${pick(textArray(["US", "US", "US", "GB", "DE", "FR", "NL", "CA", "AU", "SE", "ES", "IT", "JP", "BR", "IN", "PL"]), 16)},
  ${pick(textArray(["free", "free", "free", "basic", "basic", "pro", "enterprise"]), 7)},
  random() < 0.4,
  CASE WHEN random() < 0.45 THEN NULL ELSE ww_gen.prose(1 + floor(random() * 4)::int) END,
  timestamptz '2018-01-01 00:00:00+00' + (i % 1000000) * interval '3 minutes' + random() * interval '90 days'
FROM (SELECT i, random() AS r, ${pick(firstNames, FIRST_NAMES.length)} AS fn,
        initcap(ww_gen.word(floor(random() * 4608)::int)) || CASE WHEN random() < 0.3 THEN ${pick(textArray(["son", "sen", "man", "berg", "ez", "ski", "ova", "ford"]), 8)} ELSE '' END AS ln
      FROM generate_series(${c0}::bigint, ${c1}::bigint) i) s;
INSERT INTO public.products (id, sku, name, description, price, weight_grams, attributes, created_at)
SELECT i, 'SKU-' || lpad(i::text, 7, '0'),
  initcap(ww_gen.words(2 + floor(random() * 3)::int, false)),
  ww_gen.prose(3 + floor(random() * 8)::int),
  round((0.99 + random() * random() * 800)::numeric, 2),
  (5 + floor(random() * random() * 20000))::int,
  jsonb_build_object(
    'color', ${pick(textArray(["black", "white", "red", "navy", "green", "grey", "beige", "olive", "teal", "burgundy"]), 10)},
    'size', ${pick(textArray(["XS", "S", "M", "L", "XL", "XXL", "one size"]), 7)},
    'material', ww_gen.rword(),
    'tags', to_jsonb(string_to_array(ww_gen.words(1 + floor(random() * 5)::int, false), ' ')),
    'rating', round((1 + random() * 4)::numeric, 1),
    'reviews', floor(random() * random() * 5000)::int,
    'in_stock', random() < 0.85),
  timestamptz '2018-01-01 00:00:00+00' + random() * interval '7 years'
FROM generate_series(${p0}::bigint, ${p1}::bigint) i;
INSERT INTO public.orders (id, customer_id, status, placed_at, shipped_at, currency, total, coupon, shipping_address, items)
SELECT o.i, o.cust, o.status, o.placed,
  CASE WHEN o.status IN ('shipped', 'delivered', 'refunded') THEN o.placed + random() * interval '6 days' END,
  ${pick(textArray(["USD", "USD", "USD", "EUR", "EUR", "GBP", "CAD", "AUD", "JPY", "SEK"]), 10)},
  it.total,
  CASE WHEN random() < 0.15 THEN upper(ww_gen.rword()) || (5 * (1 + floor(random() * 10))::int)::text END,
  (1 + floor(random() * 9999))::int || ' ' || initcap(ww_gen.rword()) || ' ' || ${pick(textArray(["St", "Ave", "Rd", "Ln", "Way", "Blvd"]), 6)} || E'\n'
    || initcap(ww_gen.word(floor(random() * 900)::int * 5 % 4608)) || ' ' || lpad(floor(random() * 99999)::int::text, 5, '0'),
  it.items
FROM (SELECT i, ${c0} + floor(random() * ${n})::bigint AS cust,
        ${pick(textArray(["pending", "paid", "paid", "shipped", "shipped", "delivered", "delivered", "delivered", "cancelled", "refunded"]), 10)} AS status,
        timestamptz '2019-01-01 00:00:00+00' + random() * interval '6 years' AS placed,
        1 + floor(random() * random() * 8)::int AS lines
      FROM generate_series(${o0}::bigint, ${o1}::bigint) i) o
CROSS JOIN LATERAL (
  SELECT jsonb_agg(jsonb_build_object('sku', 'SKU-' || lpad(x.product::text, 7, '0'), 'qty', x.qty, 'unit_price', x.price,
           'discount', CASE WHEN x.d < 0.2 THEN round((x.price * 0.1)::numeric, 2) ELSE 0 END)) AS items,
         sum(x.qty * x.price)::numeric(12,2) AS total
  FROM (SELECT g, 1 + floor(random() * ${p1})::int AS product, 1 + floor(random() * random() * 6)::int AS qty,
          round((0.99 + random() * random() * 400)::numeric, 2) AS price, random() AS d
        FROM generate_series(1, o.lines) g) x) it;
INSERT INTO public.events (id, event_id, customer_id, occurred_at, kind, ip, user_agent, session_id, payload)
SELECT e.i, md5('event-' || e.i)::uuid, e.cust, e.at, e.kind,
  ((1 + floor(random() * 223))::int || '.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int)::inet,
  ${pick(agents, USER_AGENTS.length)},
  substr(md5(e.cust::text || '/' || floor(extract(epoch FROM e.at) / 1800)::text), 1, 24),
  jsonb_build_object('path', '/' || ww_gen.rword() || '/' || ww_gen.rword(), 'duration_ms', floor(random() * random() * 3000)::int,
    'referrer', CASE WHEN random() < 0.3 THEN 'https://' || ww_gen.rword() || '.com/' || ww_gen.rword() END) || p.extra
FROM (SELECT i, ${c0} + floor(random() * ${n})::bigint AS cust,
        timestamptz '2019-01-01 00:00:00+00' + random() * interval '6 years' AS at,
        ${pick(textArray(["page_view", "page_view", "page_view", "search", "add_to_cart", "remove_from_cart", "checkout_started", "login", "logout", "review_posted", "wishlist_add", "email_opened"]), 12)} AS kind,
        floor(random() * 7)::int AS keys
      FROM generate_series(${e0}::bigint, ${e1}::bigint) i) e
CROSS JOIN LATERAL (
  SELECT coalesce(jsonb_object_agg(kv.k, kv.v), '{}'::jsonb) AS extra
  FROM (SELECT g, ww_gen.word(floor(random() * 150)::int * 29 % 4608) AS k,
          CASE floor(random() * 5)::int
            WHEN 0 THEN to_jsonb(round((random() * 1000)::numeric, 3))
            WHEN 1 THEN to_jsonb(ww_gen.rword())
            WHEN 2 THEN to_jsonb(random() < 0.5)
            WHEN 3 THEN to_jsonb(floor(random() * 100000)::int)
            ELSE to_jsonb(ww_gen.words(2 + floor(random() * 6)::int, false)) END AS v
        FROM generate_series(1, e.keys) g) kv) p;
`,
  };
}
