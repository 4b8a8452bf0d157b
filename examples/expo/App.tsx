import type { SyncStatus } from '@ferry/client';
import { StatusBar } from 'expo-status-bar';
import { useEffect, useState } from 'react';
import {
  Button,
  FlatList,
  Pressable,
  SafeAreaView,
  StyleSheet,
  Text,
  TextInput,
  View,
} from 'react-native';
import {
  addItem,
  deleteItem,
  type Item,
  type ListsClient,
  toggleItem,
  USERS,
  type User,
} from './src/lists.ts';
import { ferryApp } from './src/native.ts';

type Row = { key: string; value: Item };

/** Oldest first, through the index the app declares (src/lists.ts). */
const BY_CREATION = { index: 'byCreation', order: 'asc' } as const;

export default function App() {
  const [user, setUser] = useState<User | null>(null);
  const [client, setClient] = useState<ListsClient | null>(null);

  useEffect(() => {
    ferryApp.session.user().then(setUser);
  }, []);

  useEffect(() => {
    if (user === null) return;
    let cancelled = false;
    ferryApp.openClient().then((opened) => {
      if (!cancelled) setClient(opened);
    });
    ferryApp.registerDevice().catch((error) => console.warn('push token not registered', error));
    return () => {
      cancelled = true;
    };
  }, [user]);

  async function signIn(who: User) {
    await ferryApp.session.signIn(who);
    setUser(who);
  }

  async function signOut() {
    await ferryApp.signOut();
    setClient(null);
    setUser(null);
  }

  return (
    <SafeAreaView style={styles.screen}>
      <StatusBar style="auto" />
      {user === null ? (
        <View style={styles.signIn}>
          <Text style={styles.title}>Sign in as</Text>
          {USERS.map((who) => (
            <Button key={who} title={who} onPress={() => signIn(who)} />
          ))}
        </View>
      ) : client === null ? (
        <Text>Opening…</Text>
      ) : (
        <Lists client={client} user={user} onSignOut={signOut} />
      )}
    </SafeAreaView>
  );
}

function Lists(props: { client: ListsClient; user: User; onSignOut: () => void }) {
  const { client, user } = props;
  const [rows, setRows] = useState<Row[]>([]);
  const [status, setStatus] = useState<SyncStatus>(client.getStatus());
  const [text, setText] = useState('');

  useEffect(
    () => client.collection('items').subscribe(BY_CREATION, (next) => setRows(next)),
    [client],
  );
  useEffect(() => client.subscribeStatus(setStatus), [client]);

  async function add() {
    if (text.trim() === '') return;
    await addItem(client, user, text.trim());
    setText('');
  }

  return (
    <View style={styles.screen}>
      <View style={styles.bar}>
        <Text>
          {user}: {status.phase}
          {status.pendingCount > 0 ? ` · ${status.pendingCount} pending` : ''}
        </Text>
        <Button title="Sign out" onPress={props.onSignOut} />
      </View>
      <View style={styles.add}>
        <TextInput
          style={styles.input}
          value={text}
          onChangeText={setText}
          placeholder="New item"
          onSubmitEditing={add}
        />
        <Button title="Add" onPress={add} />
      </View>
      <FlatList
        data={rows}
        keyExtractor={(row) => row.key}
        renderItem={({ item: row }) => (
          <View style={styles.row}>
            <Pressable style={styles.grow} onPress={() => toggleItem(client, row.key)}>
              <Text style={row.value.done ? styles.done : undefined}>
                {row.value.done ? '☑' : '☐'} {row.value.text}
              </Text>
            </Pressable>
            <Button title="Delete" onPress={() => deleteItem(client, row.key)} />
          </View>
        )}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, padding: 12 },
  signIn: { flex: 1, justifyContent: 'center', gap: 12 },
  title: { fontSize: 20, textAlign: 'center' },
  bar: { flexDirection: 'row', justifyContent: 'space-between', alignItems: 'center' },
  add: { flexDirection: 'row', gap: 8, marginVertical: 12 },
  input: { flex: 1, borderWidth: 1, borderColor: '#ccc', padding: 8 },
  row: { flexDirection: 'row', alignItems: 'center', paddingVertical: 6 },
  grow: { flex: 1 },
  done: { textDecorationLine: 'line-through', color: '#888' },
});
