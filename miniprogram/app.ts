import type { PropsWithChildren } from 'react';
// first: on H5 the root font size the rem units scale with, before any page renders
import './services/remBase';
// loaded first: on H5 it reads what a redirect appended to the URL before any page asks; on weapp it listens
// for the insurance mini-program's answer
import './services/bridge/index';
import './app.css';

/** The app shell: pages render inside it. */
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
